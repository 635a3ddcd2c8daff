from django.urls import path

from . import api

urlpatterns = [
    path("token/", api.TokenView.as_view(), name="api-auth-token"),
    path("me/", api.MeView.as_view(), name="api-auth-me"),
    path("me/counts/", api.MyCountsView.as_view(), name="api-auth-me-counts"),
    path("register/", api.RegisterView.as_view(), name="api-auth-register"),
]
