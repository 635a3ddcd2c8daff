"""Data migration: seed 2004–2026 from chinese_calendar so that every database has a calendar."""

from django.db import migrations


def seed(apps, schema_editor):
    from tongban.workdays.seed import seed_calendar

    seed_calendar(apps)


def unseed(apps, schema_editor):
    for name in ("CalendarChange", "WorkCalendar", "CalendarYear", "CalendarVersion"):
        apps.get_model("workdays", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
