"""Catalogue routes of the REST API, mounted at /api/v1/ by tongban.api.urls."""

from django.urls import path

from . import api, api_editing, api_search

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
    path("life-events/", api_search.LifeEventListApi.as_view(), name="api-life-event-list"),
    path("life-events/<slug:code>/", api_search.LifeEventDetailApi.as_view(), name="api-life-event-detail"),
    path("search/synonyms/", api_search.SynonymListApi.as_view(), name="api-search-synonyms"),
    path("search/synonyms/<int:pk>/", api_search.SynonymDetailApi.as_view(), name="api-search-synonym"),
    path("search/life-events/", api_search.LifeEventAdminListApi.as_view(), name="api-search-life-events"),
    path(
        "search/life-events/<int:pk>/",
        api_search.LifeEventAdminDetailApi.as_view(),
        name="api-search-life-event",
    ),
    path("search/import/", api_search.SearchImportApi.as_view(), name="api-search-import"),
    path("search/export/", api_search.SearchExportApi.as_view(), name="api-search-export"),
]
