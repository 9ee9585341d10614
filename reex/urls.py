from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from reex.observability.health import healthz
from reex.observability.metrics import metrics

admin.site.site_header = "reex — claim vetting desk"
admin.site.site_title = "reex admin"
admin.site.index_title = "Editors' desk"

urlpatterns = [
    # Proposed claims moved from claims to intake (issue 27): editors' bookmarks still land.
    re_path(
        r"^admin/claims/claimproposal/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/intake/claimproposal/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/", include(("reex.api_urls", "api"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("archive/", include("sources.urls")),
    path("entities/", include("ownership.urls")),
    path("", include("claims.urls")),
]
