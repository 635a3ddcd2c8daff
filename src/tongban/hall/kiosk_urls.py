from django.urls import path

from . import kiosk_views as views

urlpatterns = [
    path("<str:hall_code>/", views.home, name="home"),
    path("<str:hall_code>/end/", views.end, name="end"),
    path("<str:hall_code>/guide/", views.guide, name="guide"),
    path("<str:hall_code>/guide/<str:code>/", views.guide_item, name="guide-item"),
    path("<str:hall_code>/track/", views.track, name="track"),
    path("<str:hall_code>/document/", views.document_pdf, name="document"),
    path("<str:hall_code>/ticket/", views.ticket, name="ticket"),
    path("<str:hall_code>/ticket/<int:ticket_id>/", views.ticket_show, name="ticket-show"),
    path("<str:hall_code>/ticket/<int:ticket_id>/pdf/", views.ticket_print, name="ticket-pdf"),
    path("<str:hall_code>/check-in/", views.check_in, name="check-in"),
    path("<str:hall_code>/print/", views.print_menu, name="print"),
]
