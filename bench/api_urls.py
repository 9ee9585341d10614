"""URLs for the API benchmark only (bench/api_wsgi.py): the project's URLs plus a trivial
JsonResponse view, the baseline the API's figures are divided by. Never used by the project."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from reex.urls import urlpatterns as project_urlpatterns


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/trivial", trivial), *project_urlpatterns]
