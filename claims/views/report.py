"""The vetted article's pages (issue 12): the report, its archived copies, the claim's
ownership picture, and the editor's publish switch. The reads live in claims/reports.py, the
write in claims.services.reports.article_set_report_published."""

from __future__ import annotations

import functools
import gzip
import hashlib
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from claims.models import Article, Claim, Evidence
from claims.reports import (
    build_report,
    claim_picture_for,
    may_read_report,
    may_read_unpublished_report,
)
from claims.services.reports import PUBLISH_REPORT, article_set_report_published
from claims.views.desk import desk_required
from ownership.models import Entity, Ownership, RegisterVersion
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
    and a card per claim (verdict, reasons, sources, ownership picture, ClaimReview).
    Anonymous readers of a published report get the cached page (`_cached_report`)."""
    variant = _public_variant(request)
    if variant is not None:
        return _cached_report(request, key, variant)
    return _render_report(request, _readable_article(request, key))


def _render_report(request: HttpRequest, article: Article) -> HttpResponse:
    # The desk's fuller view (the rule's reasons, every source and why it did not count) is
    # for those who may read the unpublished report; everyone else, and staff asking for
    # `?as=reader`, get the reader's report: verdicts, rationales and the sources that count.
    desk = may_read_unpublished_report(user=request.user)
    staff = desk and request.GET.get("as") != "reader"
    report = build_report(
        article=article,
        report_url=request.build_absolute_uri(request.path),
        reader=not staff,
    )
    response = render(
        request,
        "claims/report.html",
        {
            "report": report,
            "article": article,
            "staff": staff,
            "desk": desk,
            "admin": staff and request.user.is_staff,
            "min_sources": settings.REEX_MIN_INDEPENDENT_SOURCES,
            "can_publish": staff and request.user.has_perm(PUBLISH_REPORT),
        },
    )
    if not article.report_published or request.user.is_authenticated:
        response["Cache-Control"] = "private, no-store"  # staff see more than readers
    if not article.report_published:
        response["X-Robots-Tag"] = "noindex"
    return response


# --- the public report as a cached page (issue 23) ----------------------------------------------
#
# The page an anonymous reader gets is rendered once per change and kept in the cache (Redis
# where REDIS_URL says so: shared by every web process), gzipped, with its ETag. An entry is
# served as it is for CHECK_SECONDS after it was last checked; then one statement compares the
# stamps it was rendered from (`_stamp`: the article's row and publication, the latest
# `changed_at` and the number of its claims, the register's rows) with the database's, and a
# difference renders it again. A decision does not wait for that: its transaction's on-commit
# (`claim_status_changed`) drops the article's entries, so the next reader gets the new
# verdict. CDNs may keep a page for CHECK_SECONDS too (`s-maxage`); browsers revalidate by
# ETag (304). So a reader sees a decision at once from the desk, within a second through a CDN,
# and any other change within a second.

CHECK_SECONDS = 1.0
KEEP_SECONDS = 600  # an entry nobody reads again
PUBLIC_CACHE_CONTROL = f"public, max-age=0, s-maxage={CHECK_SECONDS:g}, must-revalidate"
_PREFIX = "reex:report:v1"


@functools.cache
def _code_version() -> str:
    """The report's code and templates as this process runs them: a deploy that changes them
    does not serve pages rendered by the old ones."""
    digest = hashlib.sha256()
    app = Path(__file__).resolve().parents[1]  # claims/
    for path in sorted([*app.glob("templates/claims/report*.html"), app / "reports.py"]):
        digest.update(path.read_bytes())
    digest.update(str(settings.REEX_MIN_INDEPENDENT_SOURCES).encode())
    return digest.hexdigest()[:12]


def _keys(key: str, variant: str) -> tuple[str, str]:
    base = f"{_PREFIX}:{_code_version()}:{key}:{variant}"
    return base, base + ":checked"


def _public_variant(request: HttpRequest) -> str | None:
    """ "all" or "claims" for a request the cached page can answer: no signed-in user (staff
    see more), no query but `all` (what the template reads), no message waiting to be shown
    (it would be rendered into the page). None otherwise."""
    if request.user.is_authenticated or any(name != "all" for name in request.GET):
        return None
    if len(get_messages(request)):
        return None
    return "all" if request.GET.get("all") else "claims"


def _stamp(key: str) -> str | None:
    """What the public page is rendered from, as one string; None when it is not public."""
    a, c = Article._meta.db_table, Claim._meta.db_table
    o, e = Ownership._meta.db_table, Entity._meta.db_table
    rv = RegisterVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.report_published, a.updated_at, "  # noqa: S608 (our own table names)
            f"(SELECT max(changed_at) FROM {c} WHERE article_id = a.id), "
            f"(SELECT count(*) FROM {c} WHERE article_id = a.id), "
            f"(SELECT max(updated_at) FROM {o}), (SELECT count(*) FROM {o}), "
            f"(SELECT max(updated_at) FROM {e}), (SELECT count(*) FROM {e}), "
            # The register version too: a register edit made behind the write paths' back.
            f"(SELECT version FROM {rv} WHERE id = 1) "
            f"FROM {a} a WHERE a.key = %s",
            [key],
        )
        row = cursor.fetchone()
    if row is None or not row[0]:
        return None
    return "|".join(str(v) for v in row[1:])


def _cached_report(request: HttpRequest, key: str, variant: str) -> HttpResponse:
    entry_key, checked_key = _keys(key, variant)
    found = cache.get_many([entry_key, checked_key])
    entry, checked = found.get(entry_key), found.get(checked_key)
    if entry is None or checked is None or time.time() - checked >= CHECK_SECONDS:
        stamp = _stamp(key)
        if stamp is None:
            raise Http404("No such report.")
        if entry is None or entry["stamp"] != stamp:
            entry = _store(request, key, variant, stamp)
        cache.set(checked_key, time.time(), KEEP_SECONDS)
    return _serve(request, entry)


def _store(request: HttpRequest, key: str, variant: str, stamp: str) -> dict:
    """Render the public page (as an anonymous reader gets it) and keep it."""
    article = _readable_article(request, key)
    response = _render_report(request, article)
    body = response.content
    entry = {
        "stamp": stamp,
        "etag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        "gzip": gzip.compress(body, compresslevel=6),
        "content_type": response["Content-Type"],
    }
    entry_key, _ = _keys(key, variant)
    cache.set(entry_key, entry, KEEP_SECONDS)
    return entry


def _serve(request: HttpRequest, entry: dict) -> HttpResponse:
    if request.headers.get("If-None-Match") in (entry["etag"], f"W/{entry['etag']}"):
        response = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(entry["gzip"], content_type=entry["content_type"])
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(entry["gzip"]), content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def report_cache_forget(*, article_id: int) -> None:
    """Drop the article's cached public pages (after a decision commits)."""
    key = Article.objects.filter(pk=article_id).values_list("key", flat=True).first()
    if key is not None:
        cache.delete_many([k for variant in ("claims", "all") for k in _keys(key, variant)])


def on_claim_status_changed(sender, claim_id: int, article_id: int, **kwargs) -> None:
    report_cache_forget(article_id=article_id)


def on_report_publication_changed(sender, article_id: int, **kwargs) -> None:
    report_cache_forget(article_id=article_id)


@require_POST
def article_report_publish(request: HttpRequest, key: str) -> HttpResponse:
    """Publish or withdraw the report (editors): `published=1` or `published=0`. Without
    `confirmed=1` the answer is a confirmation page saying what will change (who will be able
    to read it), whose button sends the same request confirmed."""
    if not request.user.is_authenticated:
        raise Http404("No such report.")
    article = get_object_or_404(Article, key=key)
    wanted = request.POST.get("published")
    if wanted not in {"0", "1"}:
        messages.error(
            request, "Say published=1 to publish the report or published=0 to withdraw it."
        )
        return redirect("claims:report", key=key)
    if not request.user.has_perm(PUBLISH_REPORT):
        raise PermissionDenied("Only editors may publish or withdraw a vetting report.")
    if request.POST.get("confirmed") != "1":
        report = build_report(article=article, report_url="", reader=True)
        return render(
            request,
            "claims/report_confirm.html",
            {"article": article, "report": report, "publish": wanted == "1"},
        )
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
