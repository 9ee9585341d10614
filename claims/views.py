"""The reviewers' queue (server-rendered). Built out by the review-desk work (issue 5)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from claims.models import Claim


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    claims = Claim.objects.for_list().needing_work()[:50]
    return render(request, "claims/queue.html", {"claims": claims})


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.for_list(), pk=pk)
    return render(request, "claims/claim_detail.html", {"claim": claim})
