"""The vetted article's pages (issue 12): the report, its archived copies, the claim's
ownership picture, and the editor's publish switch. The reads live in claims/reports.py, the
write in claims.services.article_set_report_published."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from claims.models import Article, Claim, Evidence
from claims.reports import build_report, claim_picture_for, may_read_report
from claims.services import PUBLISH_REPORT, article_set_report_published
from claims.views import desk_required
from ownership.svg import CONTENT_TYPE, SVG_HEADERS
from sources.models import Snapshot
from sources.views import archive_headers, content_url


def _readable_article(request: HttpRequest, key: str) -> Article:
    """The article, if this viewer may read its report; a 404 otherwise (an unpublished
    report does not admit that it exists)."""
    article = (
        Article.objects.select_related("outlet", "report_published_by").filter(key=key).first()
    )
    if article is None or not may_read_report(user=request.user, article=article):
        raise Http404("No such report.")
    return article


@require_GET
def article_report(request: HttpRequest, key: str) -> HttpResponse:
    """The vetted article: the text with every claim in its status colour, the status bar,
    and a card per claim (verdict, reasons, sources, ownership picture, ClaimReview)."""
    article = _readable_article(request, key)
    report = build_report(article=article, report_url=request.build_absolute_uri(request.path))
    staff = bool(request.user.is_authenticated and request.user.is_staff)
    response = render(
        request,
        "claims/report.html",
        {
            "report": report,
            "article": article,
            "staff": staff,
            "min_sources": settings.REEX_MIN_INDEPENDENT_SOURCES,
            "can_publish": request.user.is_authenticated and request.user.has_perm(PUBLISH_REPORT),
        },
    )
    if not article.report_published:
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def article_report_publish(request: HttpRequest, key: str) -> HttpResponse:
    """Publish or withdraw the report (editors): `published=1` or `published=0`."""
    if not request.user.is_authenticated:
        raise Http404("No such report.")
    article = get_object_or_404(Article, key=key)
    wanted = request.POST.get("published")
    if wanted not in {"0", "1"}:
        messages.error(
            request, "Say published=1 to publish the report or published=0 to withdraw it."
        )
        return redirect("claims:report", key=key)
    # PermissionDenied (not an editor) becomes Django's 403 page.
    changed = article_set_report_published(
        article=article, published=wanted == "1", actor=request.user
    )
    state = "published: anyone with the link can read it" if wanted == "1" else "withdrawn"
    if changed:
        messages.success(request, f"The vetting report is {state}.")
    else:
        messages.info(request, f"The vetting report was already {state}.")
    return redirect("claims:report", key=key)


@require_GET
@xframe_options_exempt  # framing is governed by the archive CSP's frame-ancestors
def report_archive(request: HttpRequest, key: str, evidence_id: int) -> HttpResponse:
    """The archived copy of one source of a report's claim, for whoever may read the report:
    sandboxed exactly like sources.views.snapshot_content (an opaque origin, no scripts); with
    REEX_ARCHIVE_ORIGIN set, a redirect to a short-lived signed link on the archive host."""
    article = _readable_article(request, key)
    ev = (
        Evidence.objects.select_related("snapshot")
        .filter(pk=evidence_id, claim__article=article)
        .first()
    )
    snapshot = ev.snapshot if ev is not None else None
    if snapshot is None or snapshot.status != Snapshot.Status.ARCHIVED or not snapshot.body:
        raise Http404("This source has no archived copy.")
    if settings.REEX_ARCHIVE_ORIGIN:
        return HttpResponseRedirect(content_url(snapshot, user=request.user))
    response = FileResponse(
        snapshot.body.open("rb"), content_type=snapshot.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = "inline"
    return archive_headers(response)


def svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type=CONTENT_TYPE)
    for name, value in SVG_HEADERS.items():
        response[name] = value
    response["Cache-Control"] = "private, max-age=60"
    return response


@desk_required
@require_GET
def claim_ownership(request: HttpRequest, pk: int) -> HttpResponse:
    """The ownership picture of a claim's evidence, as an SVG document (the claim page)."""
    claim = Claim.objects.filter(pk=pk).first()
    if claim is None:
        raise Http404("No such claim.")
    return svg_response(claim_picture_for(claim).svg)
