from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "tongban.hall"
    label = "hall"
    verbose_name = "服务大厅"

    def ready(self) -> None:
        # The guide shows 预约办理 on exactly the items a hall takes appointments for.
        from tongban.catalogue.capabilities import CapabilityCode, register_capability

        from .capabilities import book_capabilities

        register_capability(CapabilityCode.BOOK, book_capabilities)
