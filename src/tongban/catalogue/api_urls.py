"""Catalogue routes of the REST API, mounted at /api/v1/ by tongban.api.urls."""

from django.urls import path

from . import api, api_editing

urlpatterns = [
    path("items/", api.ItemListView.as_view(), name="api-catalogue-item-list"),
    path("items/<str:code>/", api.ItemDetailView.as_view(), name="api-catalogue-item-detail"),
    path("catalogue/versions/<int:item_id>/", api_editing.VersionApi.as_view(), name="api-catalogue-version"),
    path(
        "catalogue/versions/<int:item_id>/materials/",
        api_editing.VersionMaterialsApi.as_view(),
        name="api-catalogue-version-materials",
    ),
    path(
        "catalogue/versions/<int:item_id>/materials/order/",
        api_editing.VersionMaterialOrderApi.as_view(),
        name="api-catalogue-version-material-order",
    ),
    path(
        "catalogue/versions/<int:item_id>/materials/<int:material_id>/",
        api_editing.VersionMaterialApi.as_view(),
        name="api-catalogue-version-material",
    ),
]
