from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "tongban.hall"
    label = "hall"
    verbose_name = "服务大厅"
