from django.urls import path

from . import views

urlpatterns = [
    path("window/", views.console, name="console"),
    path("window/<int:window_id>/<str:action>/", views.console_action, name="console-action"),
    path("figures/", views.figures, name="figures"),
    path("book/", views.book, name="book"),
    path("appointments/", views.my_appointments, name="my-appointments"),
    path("appointments/<int:appointment_id>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("<str:hall_code>/board/", views.board, name="board"),
    path("<str:hall_code>/board/partial/", views.board_partial, name="board-partial"),
]
