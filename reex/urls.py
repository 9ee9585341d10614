from django.contrib import admin
from django.urls import include, path

from reex.metrics import metrics
from reex.views import healthz

admin.site.site_header = "reex — claim vetting desk"
admin.site.site_title = "reex admin"
admin.site.index_title = "Editors' desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/", include(("reex.api_urls", "api"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("archive/", include("sources.urls")),
    path("entities/", include("ownership.urls")),
    path("", include("claims.urls")),
]
