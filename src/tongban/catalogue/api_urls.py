"""Catalogue routes of the REST API, mounted at /api/v1/ by tongban.api.urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("items/", api.ItemListView.as_view(), name="api-catalogue-item-list"),
    path("items/<str:code>/", api.ItemDetailView.as_view(), name="api-catalogue-item-detail"),
]
