"""/api/v1/… — each app contributes its routes from its own `api_urls` module."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("v1/auth/", include("tongban.accounts.api_urls")),
    path("v1/", include("tongban.catalogue.api_urls")),
    path("v1/", include("tongban.workdays.api_urls")),
    path("v1/", include("tongban.organisations.api_urls")),
    path("v1/", include("tongban.notifications.api_urls")),
    path("v1/", include("tongban.supervision.api_urls")),
    path("v1/", include("tongban.hall.api_urls")),
    path("v1/", include("tongban.cases.api_urls")),
    path("v1/", include("tongban.analytics.api_urls")),
    path("v1/", include("tongban.ratings.api_urls")),
]
