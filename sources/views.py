"""Archived copies, served so that they can never act on the desk or the live web.

The stored body is served only by `snapshot_content`, with
`Content-Security-Policy: sandbox; default-src 'none'; ...` (an opaque origin, no scripts, no
forms, no loads from anywhere but data: and this server), `X-Content-Type-Options: nosniff`,
`Referrer-Policy: no-referrer` and the content type that was stored. The queue embeds it in an
`<iframe sandbox>` without `allow-same-origin` (sources/_archive_frame.html), so archived
JavaScript never runs with the desk's origin (ArchiveBox, CVE-2023-45815).

Who may view: a signed-in user, or an API client sending `Authorization: Token KEY` (the API
returns these links), with `sources.view_snapshot`.

With REEX_ARCHIVE_ORIGIN set ("https://archive.reex.example") bodies are served from that host
only: the desk checks the viewer and hands out a short-lived signed link
(REEX_ARCHIVE_LINK_SECONDS) for that one snapshot. The archive host has no session (the desk's
cookie does not, and must not, reach it), so the link is a bearer link: whoever holds it may
view that snapshot until it expires. The viewer's id rides along in the signed payload but
is not checked (nothing on the archive host could check it); keep the lifetime short.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from plumbing.authentication import ApiTokenAuthentication
from sources.models import Snapshot

PERMISSION = "sources.view_snapshot"
_SALT = "reex.archive-link"

ARCHIVE_CSP = "; ".join(
    [
        "sandbox",
        "default-src 'none'",
        "img-src 'self' data:",
        "style-src 'unsafe-inline'",
        "font-src data:",
        "media-src 'none'",
        "script-src 'none'",
        "connect-src 'none'",
        "frame-src 'none'",
        "object-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    ]
)


def _frame_ancestors() -> str:
    if settings.REEX_ARCHIVE_ORIGIN:
        desks = " ".join(
            o for o in settings.CSRF_TRUSTED_ORIGINS if o != settings.REEX_ARCHIVE_ORIGIN
        )
        return f"frame-ancestors {desks or 'none'}" if desks else "frame-ancestors 'none'"
    return "frame-ancestors 'self'"


def archive_headers(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = f"{ARCHIVE_CSP}; {_frame_ancestors()}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=300"
    return response


def _inert_headers(response: HttpResponse) -> HttpResponse:
    """For the text and the WARC download: nothing in them may run, sniff or refer."""
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _signed_link(snapshot_id: int, user_id: int | None) -> str:
    return signing.dumps({"s": snapshot_id, "u": user_id}, salt=_SALT, compress=True)


def content_url(snapshot: Snapshot | int, *, user=None) -> str:
    """Where the archived body of `snapshot` is viewed: this server's sandboxed path, or a
    signed link on REEX_ARCHIVE_ORIGIN when archives are served from a separate host."""
    snapshot_id = snapshot if isinstance(snapshot, int) else snapshot.pk
    path = reverse("sources:snapshot-content", args=[snapshot_id])
    if not settings.REEX_ARCHIVE_ORIGIN:
        return path
    token = _signed_link(snapshot_id, getattr(user, "pk", None))
    return f"{settings.REEX_ARCHIVE_ORIGIN}{path}?t={token}"


def _on_archive_host(request: HttpRequest) -> bool:
    host = urlsplit(settings.REEX_ARCHIVE_ORIGIN).netloc.lower()
    return bool(host) and request.get_host().lower() == host


class _BadToken(Exception):
    pass


def _authenticate(request: HttpRequest) -> None:
    """Without a session, accept the API's `Authorization: Token KEY` (the same class the API
    uses: knox, expiry, malformed keys refused). Sets `request.user`; raises `_BadToken` for a
    token that is presented but invalid or expired."""
    if request.user.is_authenticated or not get_authorization_header(request):
        return
    try:
        found = ApiTokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        raise _BadToken(str(exc.detail)) from None
    if found is not None:
        request.user = found[0]


def _unauthorized(message: str) -> HttpResponse:
    response = HttpResponse(message, status=401, content_type="text/plain; charset=utf-8")
    response["WWW-Authenticate"] = ApiTokenAuthentication().authenticate_header(None)
    return response


def _can_view(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.has_perm(PERMISSION)


def _viewer_required(view):
    """A signed-in user or a valid API token, then `sources.view_snapshot`: anonymous requests
    go to the login page, a bad token gets 401, a user without the permission 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refusal = _viewer_refusal(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapped


def _viewer_refusal(request: HttpRequest) -> HttpResponse | None:
    """None when the request may view archived copies (see `_viewer_required`); else the 401,
    the sign-in redirect, or raises the 403."""
    try:
        _authenticate(request)
    except _BadToken as exc:
        return _unauthorized(str(exc))
    if not _can_view(request):
        return _login_or_deny(request)
    return None


def _archived(pk: int) -> Snapshot:
    snapshot = get_object_or_404(Snapshot, pk=pk)
    if snapshot.status != Snapshot.Status.ARCHIVED or not snapshot.body:
        raise Http404("This snapshot has no archived copy (yet).")
    return snapshot


@require_GET
@xframe_options_exempt  # framing is governed by CSP frame-ancestors above, not by X-Frame-Options
def snapshot_content(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived body, sandboxed (see the module docstring)."""
    if settings.REEX_ARCHIVE_ORIGIN:
        if not _on_archive_host(request):
            # On the desk's host: never serve the body here; send the viewer to the archive host.
            return _redirect_to_archive_host(request, pk)
        try:
            data = signing.loads(
                request.GET.get("t", ""), salt=_SALT, max_age=settings.REEX_ARCHIVE_LINK_SECONDS
            )
        except signing.BadSignature:
            raise PermissionDenied("This archive link is invalid or has expired.") from None
        if data.get("s") != pk:
            raise PermissionDenied("This archive link is for another snapshot.")
    else:
        refusal = _viewer_refusal(request)
        if refusal is not None:
            return refusal
    snapshot = _archived(pk)
    response = FileResponse(
        snapshot.body.open("rb"), content_type=snapshot.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = "inline"
    return archive_headers(response)


@_viewer_required
def _redirect_to_archive_host(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponseRedirect(content_url(pk, user=request.user))


def _login_or_deny(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("You may not view archived copies.")


@require_GET
@_viewer_required
def snapshot_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The text extracted from the stored body, as plain text."""
    snapshot = _archived(pk)
    header = [snapshot.title, snapshot.final_url or snapshot.url]
    if snapshot.published_on:
        header.append(f"Published: {snapshot.published_on.isoformat()}")
    if snapshot.author:
        header.append(f"Author: {snapshot.author}")
    header.append(
        f"Archived: {snapshot.archived_at:%Y-%m-%d %H:%M} UTC · SHA-256 {snapshot.sha256}"
    )
    body = "\n".join(line for line in header if line) + "\n\n" + snapshot.text + "\n"
    return _inert_headers(HttpResponse(body, content_type="text/plain; charset=utf-8"))


@require_GET
@_viewer_required
def snapshot_warc(request: HttpRequest, pk: int) -> HttpResponse:
    """The WARC file (gzipped), as a download."""
    snapshot = _archived(pk)
    if not snapshot.warc:
        raise Http404("This snapshot has no WARC file.")
    response = FileResponse(
        snapshot.warc.open("rb"),
        content_type="application/warc",
        as_attachment=True,
        filename=f"snapshot-{snapshot.pk}.warc.gz",
    )
    return _inert_headers(response)


@require_GET
@_viewer_required
def snapshot_screenshot(request: HttpRequest, pk: int) -> HttpResponse:
    """A browser capture's full-page PNG screenshot (an image only: nothing in it can run)."""
    snapshot = _archived(pk)
    if not snapshot.screenshot:
        raise Http404("This snapshot has no screenshot: it was not rendered in a browser.")
    response = FileResponse(snapshot.screenshot.open("rb"), content_type="image/png")
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=300"
    return _inert_headers(response)


def wacz_response(name: str, filename: str) -> FileResponse:
    """The stored WACZ `name`, streamed from storage as a download."""
    from django.core.files.storage import default_storage

    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type="application/wacz+zip",
        as_attachment=True,
        filename=filename,
    )
    return _inert_headers(response)


@require_GET
@_viewer_required
def snapshot_wacz(request: HttpRequest, pk: int) -> HttpResponse:
    """The capture as WACZ 1.1: the one stored with a browser capture, or the one packaged
    from a plain capture's WARC the first time it is asked for (sources.wacz.stored_package)."""
    from sources import wacz

    snapshot = _archived(pk)
    if snapshot.wacz:
        name = snapshot.wacz.name
    elif snapshot.warc:
        name = wacz.stored_package(
            [snapshot], title=f"reex snapshot {snapshot.pk}: {snapshot.title or snapshot.url}"
        )
    else:
        raise Http404("This snapshot has no WARC file to package.")
    return wacz_response(name, f"snapshot-{snapshot.pk}.wacz")
