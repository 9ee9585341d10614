"""Which capture a snapshot gets, and storing a browser capture (sources/capture.py does the
rendering). Called by sources.archive at two points of an attempt, under its reservation:

    before the fetch   `capture_wanted`/REEX_CAPTURE_MODE is `browser`: hand the attempt to
                       the render queue (or render here, inline), no plain fetch first
    after the fetch    `auto` and the page is a shell (sources.capture.shell_reason): the same

Handing over passes the reservation's token to `sources.capture_tasks.render_snapshot` on
REEX_RENDER_QUEUE (sent by sources.handoff); the render worker fetches the document again,
renders it, stores the DOM as the body (so its text is extracted as any other page's), the
screenshot, the WARC and the WACZ, and queues the extraction as the plain path does. A browser
capture that is not possible (no live render worker, no Chromium here, the broker refused the
message, Chromium would not start) stores the plain fetch and says why in `capture_note`.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from sources import capture
from sources.capture_warc import build_capture_warc
from sources.fetch import FetchError, FetchResult, fetch
from sources.handoff import enqueue_extract, tasks_enqueue_render
from sources.models import Snapshot
from sources.services import snapshots
from sources.services.snapshots import Outcome, storable

log = logging.getLogger(__name__)

NO_WORKER = (
    "no worker with Chromium consumes the render queue (start one: make worker-render, or the "
    "renderer service of docker-compose)"
)


def _possible(*, inline: bool) -> str | None:
    """Why a browser capture cannot happen now, or None when it can."""
    if inline:
        problem = capture.chromium_problem()
        return f"no Chromium here: {problem}" if problem else None
    return None if capture.render_workers_alive() else NO_WORKER


def before_fetch(snapshot: Snapshot, token, *, inline: bool):
    """A snapshot that wants a browser capture goes to the renderer at once: the Outcome of
    that, or (None, note) to fetch plainly (note: why a browser capture is not possible)."""
    if capture.wanted(snapshot) != "browser":
        return None, ""
    return _hand_over(snapshot, token, why="a browser capture was asked for", inline=inline)


def after_fetch(snapshot: Snapshot, token, result: FetchResult, *, inline: bool):
    """`auto`: a shell page goes to the renderer. (Outcome, "") when handed over, else
    (None, note) to store the plain fetch (note: why it was not rendered, or "")."""
    if capture.wanted(snapshot) != "auto" or not capture.is_html(result):
        return None, ""
    reason = capture.shell_reason(result.body, charset=result.charset)
    if reason is None:
        return None, ""
    return _hand_over(
        snapshot, token, why=f"the page is a shell: {reason}", inline=inline, main=result
    )


def _hand_over(snapshot, token, *, why: str, inline: bool, main: FetchResult | None = None):
    problem = _possible(inline=inline)
    if problem:
        return None, f"browser capture not possible ({why}): {problem}"
    if inline:
        return capture_and_store(snapshot, token, main=main, why=why), ""
    if not tasks_enqueue_render(snapshot.pk, token, why):
        return None, f"browser capture not possible ({why}): the render queue is unreachable"
    return Outcome("rendering", why), ""


def run(*, snapshot_id: int, token) -> Outcome:
    """The render worker's part of an attempt handed over by `before_fetch`/`after_fetch`."""
    snapshot = Snapshot.objects.select_related("previous").filter(pk=snapshot_id).first()
    if (
        snapshot is None
        or snapshot.status != Snapshot.Status.FETCHING
        or snapshot.fetch_started_at != token
    ):
        return Outcome("skipped", "not this attempt's to render (finished or reclaimed)")
    try:
        outcome = capture_and_store(snapshot, token, main=None, why="")
    except Exception as exc:
        log.exception("rendering snapshot %s failed unexpectedly", snapshot_id)
        return snapshots.snapshot_fetch_failed(
            snapshot=snapshot,
            token=token,
            error=FetchError(f"internal error: {exc}", True, "internal"),
        )
    if outcome.status == "stored":
        enqueue_extract(snapshot_id, token)
    return outcome


def capture_and_store(snapshot: Snapshot, token, *, main: FetchResult | None, why: str) -> Outcome:
    """Fetch (unless `main` is the document already fetched), render, store. `stored` when the
    row holds a capture (a browser one, or the plain one with `capture_note` saying why not)."""
    from sources.extract import ARCHIVABLE_TYPES
    from sources.store import _delete_written, _store

    if main is None:
        try:
            main = fetch(snapshot.url, accept_types=ARCHIVABLE_TYPES)
        except FetchError as exc:
            return snapshots.snapshot_fetch_failed(snapshot=snapshot, token=token, error=exc)
    written: list[str] = []
    try:
        if not capture.is_html(main):
            note = f"not rendered: {main.mime_type} is not a web page; stored as fetched"
            return _store(snapshot, token, main, _sha(main.body), written, capture_note=note)
        try:
            result = capture.render(snapshot.url, main)
        except capture.CaptureUnavailable as exc:
            note = f"browser capture not possible: {exc}"
            return _store(snapshot, token, main, _sha(main.body), written, capture_note=note)
        except FetchError as exc:
            return snapshots.snapshot_fetch_failed(snapshot=snapshot, token=token, error=exc)
        except Exception as exc:  # the plain copy is still worth keeping
            log.exception("browser capture of snapshot %s failed", snapshot.pk)
            note = f"browser capture failed ({type(exc).__name__}: {exc}); stored as fetched"
            return _store(snapshot, token, main, _sha(main.body), written, capture_note=note)
        return _store_browser(snapshot, token, result, written)
    except BaseException:
        _delete_written(written)
        raise


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _store_browser(
    snapshot: Snapshot, token, result: capture.Capture, written: list[str]
) -> Outcome:
    from sources import wacz
    from sources.store import (
        attempt_stamp,
        record_stored,
        response_fields,
        store_body_and_warc,
    )

    dom = result.dom.encode("utf-8")
    sha256 = _sha(dom)
    stamp = attempt_stamp(token)
    warc_bytes = build_capture_warc(result, dom)
    body_name, warc_name = store_body_and_warc(
        snapshot, token, written, body=dom, sha256=sha256, mime="text/html", warc=warc_bytes
    )
    screenshot_name = ""
    if result.screenshot:
        screenshot_name = default_storage.save(
            f"screenshots/{snapshot.pk}/{stamp}.png", ContentFile(result.screenshot)
        )
        written.append(screenshot_name)
    package = wacz.package(
        [(f"snapshot-{snapshot.pk}-{stamp}.warc.gz", warc_bytes)],
        [wacz.Page(url=result.final_url, title=result.title)],
        title=f"reex snapshot {snapshot.pk}: {result.title or result.final_url}",
        description=f"Browser capture of {snapshot.url} by reex",
    )
    wacz_name = default_storage.save(f"wacz/{snapshot.pk}/{stamp}.wacz", ContentFile(package))
    written.append(wacz_name)
    return record_stored(
        snapshot,
        token,
        written,
        **response_fields(result.main),
        # The body is the rendered DOM, serialised as UTF-8.
        content_type="text/html; charset=utf-8",
        body=body_name,
        size=len(dom),
        sha256=sha256,
        warc=warc_name,
        capture=Snapshot.Capture.BROWSER,
        capture_note=storable("; ".join(result.notes)),
        capture_log=storable(result.log()),
        screenshot=screenshot_name,
        wacz=wacz_name,
    )
