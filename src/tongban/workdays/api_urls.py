from django.urls import path

from . import api

urlpatterns = [
    path("workdays/", api.WorkdayListApi.as_view(), name="api-workdays-list"),
    path("workdays/add/", api.WorkdayAddApi.as_view(), name="api-workdays-add"),
    path("workdays/horizon/", api.HorizonApi.as_view(), name="api-workdays-horizon"),
    path("workdays/import/", api.CalendarImportApi.as_view(), name="api-workdays-import"),
    path("workdays/days/<str:day>/", api.WorkdayDayApi.as_view(), name="api-workdays-day"),
]
