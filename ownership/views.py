"""The ownership picture of one entity (the entity admin), as SVG (ownership/svg.py)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ownership.chains import current_graph
from ownership.models import Entity
from ownership.svg import CONTENT_TYPE, SVG_HEADERS, entity_picture


@staff_member_required
@require_GET
def entity_ownership(request: HttpRequest, pk: int) -> HttpResponse:
    """Every control chain of the entity up to its ultimate controllers."""
    if not request.user.has_perm("ownership.view_entity"):
        raise PermissionDenied("You may not view entities.")
    if not Entity.objects.filter(pk=pk).exists():
        raise Http404("No such entity.")
    response = HttpResponse(
        entity_picture(graph=current_graph(), entity_id=pk).svg, content_type=CONTENT_TYPE
    )
    for name, value in SVG_HEADERS.items():
        response[name] = value
    response["Cache-Control"] = "private, max-age=60"
    return response
