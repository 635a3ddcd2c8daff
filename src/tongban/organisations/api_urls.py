from django.urls import path

from . import api

urlpatterns = [
    path("departments/", api.DepartmentList.as_view(), name="api-departments"),
    path("departments/<int:pk>/", api.DepartmentDetail.as_view(), name="api-department"),
    path("halls/", api.HallList.as_view(), name="api-halls"),
    path("halls/<int:pk>/", api.HallDetail.as_view(), name="api-hall"),
    path("windows/", api.WindowCreate.as_view(), name="api-windows"),
    path("windows/<int:pk>/", api.WindowDetail.as_view(), name="api-window"),
    path("regions/", api.RegionList.as_view(), name="api-regions"),
    path("regions/<int:pk>/", api.RegionDetail.as_view(), name="api-region"),
    path("staff/", api.StaffList.as_view(), name="api-staff"),
    path("staff/<int:pk>/", api.StaffRoleDetail.as_view(), name="api-staff-role"),
    path("organisation-events/", api.OrganisationEventList.as_view(), name="api-organisation-events"),
]
