from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "tongban.workdays"
    label = "workdays"
    verbose_name = "工作日历"
