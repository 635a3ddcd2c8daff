from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "tongban.ratings"
    label = "ratings"
    verbose_name = "好差评"

    def ready(self) -> None:
        # Supervision names what a watch is about through resolvers each owning app registers; ours
        # labels a follow-up watch ("差评整改 FU12（…）") and names its responsible department.
        from tongban.supervision.choices import SubjectType
        from tongban.supervision.subjects import register_subject

        from .subjects import followup_subject

        register_subject(SubjectType.RATING_FOLLOWUP, followup_subject)

        # The menu's 待评价 entry shows how many services wait for the person's rating (common.badges).
        from tongban.common.badges import register_badge

        from .selectors import my_unrated_services

        register_badge("ratings:mine", "项服务待评价", lambda user: my_unrated_services(user).count())
