from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "tongban.scheduling"
    label = "scheduling"
    verbose_name = "定时任务"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check on the schedule)
