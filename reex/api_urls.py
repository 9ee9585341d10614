"""/api/: the versioned REST API, its OpenAPI schema and offline docs (sidecar assets, no CDN).
Included from reex/urls.py under the "api" namespace."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from claims.api.exceptions import api_not_found

urlpatterns = [
    path("v1/", include("claims.api.urls")),
    path("v1/", include("ownership.api.urls")),
    path("v1/", include("sources.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^(?P<path>[\s\S]*)$", api_not_found),  # any character, newlines too
]
