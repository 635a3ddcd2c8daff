from django.urls import path

from . import api

urlpatterns = [
    path("analytics/performance/", api.PerformanceApi.as_view(), name="api-analytics-performance"),
    path("analytics/anomalies/", api.AnomalyListApi.as_view(), name="api-analytics-anomalies"),
    path("analytics/screen/", api.ScreenApi.as_view(), name="api-analytics-screen"),
]
