from django.urls import path

from . import views

urlpatterns = [
    path("", views.performance, name="performance"),
    path("anomalies/", views.anomalies, name="anomalies"),
    path("screen/", views.screen_page, name="screen"),
    path("screen/data/", views.screen_json, name="screen-data"),
    path("screen/list/", views.screen_list, name="screen-list"),
    path("reports/", views.reports, name="reports"),
    path("reports/generate/", views.report_generate, name="report-generate"),
    path("reports/<int:report_id>/pdf/", views.report_download, name="report-download"),
]
