from django.urls import path

from . import api

urlpatterns = [
    path("departments/", api.DepartmentList.as_view(), name="api-departments"),
    path("halls/", api.HallList.as_view(), name="api-halls"),
    path("regions/", api.RegionList.as_view(), name="api-regions"),
    path("staff/", api.StaffList.as_view(), name="api-staff"),
]
