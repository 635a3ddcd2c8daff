from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "tongban.catalogue"
    label = "catalogue"
    verbose_name = "事项清单"

    def ready(self) -> None:
        from .search_index import connect_signals

        connect_signals()

        # The calendar horizon warns as far ahead as the longest limit of a published item reaches.
        from tongban.workdays.hooks import register_limit_profile

        from .selectors import published_limit_profile

        register_limit_profile("catalogue", published_limit_profile)
