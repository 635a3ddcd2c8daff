from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tongban.api"
    label = "api"
    verbose_name = "接口"
