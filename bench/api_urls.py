"""URLs for the API benchmark only (bench/api_wsgi.py): the project's URLs plus two baselines
the API's figures are compared with. Never used by the project.

* /bench/trivial: a trivial JsonResponse (what the ratios are divided by);
* /bench/authenticated: the same answer through the API's own plumbing (token authentication,
  per-action permissions, per-token throttling, DRF rendering) and no data: the floor any API
  endpoint pays before it reads anything."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from plumbing.api import ApiView
from reex.urls import urlpatterns as project_urlpatterns


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


class Authenticated(ApiView, APIView):
    action_permissions = {"default": ("claims.view_claim", "read claims")}

    def get(self, request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/authenticated", Authenticated.as_view()),
    *project_urlpatterns,
]
