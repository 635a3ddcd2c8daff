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

        # The guide's item page draws the item's back-office stages from its process definition.
        from tongban.catalogue.hooks import register_process_flow

        from .processes import process_flow

        register_process_flow(process_flow)

        # An official calendar year replacing a provisional one: recompute the provisional deadlines.
        from tongban.workdays.hooks import register_provisional_counter, register_recomputer

        from .services.recompute import case_deadlines_recompute, provisional_open_count

        register_recomputer("cases", case_deadlines_recompute, order=100)
        register_provisional_counter("cases", provisional_open_count)

        # The guide shows 网上办理 on exactly the items whose online application this app accepts.
        from tongban.catalogue.capabilities import CapabilityCode, register_capability

        from .capabilities import apply_online_capabilities

        register_capability(CapabilityCode.APPLY_ONLINE, apply_online_capabilities)

        # The menu's 我的办件 entry shows how many cases wait for the applicant's correction.
        from tongban.common.badges import register_badge

        from .selectors import corrections_to_make

        register_badge("cases:my-cases", "件待补正", corrections_to_make)
