from django.urls import path

from . import api

urlpatterns = [
    path("hall/tickets/", api.TicketListCreateApi.as_view(), name="api-hall-tickets"),
    path("hall/tickets/priority/", api.PriorityApi.as_view(), name="api-hall-priority"),
    path("hall/tickets/<int:ticket_id>/transfer/", api.TransferApi.as_view(), name="api-hall-transfer"),
    path("hall/tickets/<int:ticket_id>/link-case/", api.LinkCaseApi.as_view(), name="api-hall-link-case"),
    path(
        "hall/tickets/<int:ticket_id>/<str:action>/",
        api.TicketActionApi.as_view(),
        name="api-hall-ticket-action",
    ),
    path("hall/windows/<int:window_id>/call-next/", api.CallNextApi.as_view(), name="api-hall-call-next"),
    path("hall/halls/<str:hall_code>/board/", api.BoardApi.as_view(), name="api-hall-board"),
    path("hall/halls/<str:hall_code>/slots/", api.SlotsApi.as_view(), name="api-hall-slots"),
    path("hall/halls/<str:hall_code>/check-in/", api.CheckInApi.as_view(), name="api-hall-check-in"),
    path("hall/appointments/", api.AppointmentListCreateApi.as_view(), name="api-hall-appointments"),
    path(
        "hall/appointments/<int:appointment_id>/cancel/",
        api.AppointmentCancelApi.as_view(),
        name="api-hall-appointment-cancel",
    ),
    path("hall/figures/", api.FiguresApi.as_view(), name="api-hall-figures"),
]
