from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "tongban.catalogue"
    label = "catalogue"
    verbose_name = "事项清单"

    def ready(self) -> None:
        from .search_index import connect_signals

        connect_signals()
