from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongban.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        # The menu's 消息 entry shows the number of unread in-app messages (common.badges).
        from tongban.common.badges import register_badge

        from .selectors import inbox_unread_count

        register_badge("notifications:inbox", "条未读消息", lambda user: inbox_unread_count(user=user))
