from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:message_id>/read/", views.inbox_read, name="read"),
    path("read-all/", views.inbox_read_all, name="read-all"),
    path("log/", views.log, name="log"),
    path("log/<int:message_id>/", views.log_detail, name="log-detail"),
    path("log/<int:message_id>/resend/", views.log_resend, name="resend"),
]
