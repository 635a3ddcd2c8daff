from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.InboxListApi.as_view(), name="api-notifications-inbox"),
    path("notifications/read-all/", api.InboxReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:message_id>/read/", api.InboxReadApi.as_view(), name="api-notifications-read"),
    path("notification-log/", api.LogListApi.as_view(), name="api-notification-log"),
    path(
        "notification-log/<int:message_id>/", api.LogDetailApi.as_view(), name="api-notification-log-detail"
    ),
    path(
        "notification-log/<int:message_id>/resend/",
        api.LogResendApi.as_view(),
        name="api-notification-log-resend",
    ),
]
