from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        # An official calendar year replacing a provisional one moves warning dates: recompute them,
        # after the owners (cases) have recomputed their due dates.
        from tongban.workdays.hooks import register_recomputer

        from .services.watch_recompute import calendar_recompute

        register_recomputer("supervision", calendar_recompute, order=200)
