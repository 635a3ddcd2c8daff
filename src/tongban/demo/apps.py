from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data with their commands (`tongban demo`, `tongban bench-data`): the top layer,
    imported by no product app (issue 13 point 7). No models."""

    name = "tongban.demo"
    label = "demo"
    verbose_name = "演示数据"
