from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        # A new catalogue version inherits the process definition and the form of the version before it.
        from tongban.catalogue.services import register_version_copier

        from .services.process import case_config_copy_to

        register_version_copier(lambda *, source, item: case_config_copy_to(item=item))
