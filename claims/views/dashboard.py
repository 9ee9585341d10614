"""The editors' dashboard (issue 25): `/dashboard/` and each chart's numbers as CSV
(`/dashboard/<chart>.csv`). The reads and the drawing are in claims/dashboard.py."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.dashboard import CHARTS, STALE_DAYS, dashboard
from claims.views.desk import desk_required


def may_see_dashboard(user) -> bool:
    """Editors: staff who may change claims."""
    return bool(user.is_staff and user.has_perm("claims.change_claim"))


@desk_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    if not may_see_dashboard(request.user):
        return render(request, "claims/no_dashboard.html", status=403)
    return render(
        request, "claims/dashboard.html", {"charts": dashboard(), "stale_days": STALE_DAYS}
    )


@desk_required
@require_GET
def dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    if not may_see_dashboard(request.user):
        return render(request, "claims/no_dashboard.html", status=403)
    make = CHARTS.get(chart)
    if make is None:
        raise Http404(f"No chart {chart!r}; the dashboard has {', '.join(CHARTS)}.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reex-{chart}.csv"'
    response["Cache-Control"] = "private, no-store"
    csv.writer(response).writerows(make().csv_rows())
    return response
