"""Browser captures (issue 24) with real parts: headless Chromium (REEX_CHROMIUM, Playwright),
pages served by pytest-httpserver on 127.0.0.1, canary servers on addresses the fetcher refuses
(loopback on another port, [::1]) that must see no request, py-wacz's own validator, and real
Celery workers for the render queue."""

from __future__ import annotations

import base64
import io
import socket
import threading
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from werkzeug import Response

from sources import capture, wacz
from sources.archive import archive_snapshot
from sources.models import Snapshot, WorkerHeartbeat
from sources.render import NO_WORKER
from sources.tasks import enqueue_archive
from tests.factories import SnapshotFactory
from tests.worker import purge_queue, wait_for

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WORDS = "Northern Rare Earth said net profit rose 1,882.5% in the first half"
# A shell: the body's words are written by its own script, one more line arrives by XHR.
SHELL = """<html><head><title>Investor relations</title><script src="/app.js"></script>
<link rel="stylesheet" href="/site.css"></head>
<body><div id="root"></div><img src="/logo.png" alt="logo"></body></html>"""
APP_JS = (
    """document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('root').innerHTML = '<article><h1>Results</h1><p>WORDS.</p></article>';
  fetch('/figures.json').then(r => r.json()).then(d => {
    const p = document.createElement('p'); p.textContent = d.line;
    document.querySelector('article').appendChild(p);
  });
});"""
).replace("WORDS", WORDS)


@pytest.fixture(scope="module", autouse=True)
def _close_chromium():
    """Inline captures start a Chromium in this thread (sources.capture): closed after the
    module, not left running."""
    yield
    capture.close_renderer()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def serve_shell(origin: HTTPServer) -> str:
    origin.expect_request("/ir").respond_with_data(SHELL, content_type="text/html")
    origin.expect_request("/app.js").respond_with_data(APP_JS, content_type="text/javascript")
    origin.expect_request("/site.css").respond_with_data(
        "body{font:16px serif}", content_type="text/css"
    )
    origin.expect_request("/logo.png").respond_with_data(PNG, content_type="image/png")
    origin.expect_request("/figures.json").respond_with_json(
        {"line": "Output of rare earth metals jumped 60.4 percent year on year."}
    )
    return origin.url_for("/ir")


def warc_records(snapshot: Snapshot) -> list:
    with default_storage.open(snapshot.warc.name, "rb") as fh:
        data = fh.read()
    out = []
    for record in ArchiveIterator(io.BytesIO(data)):
        out.append(
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
                record.content_stream().read(),
            )
        )
    return out


def test_shell_detection():
    assert capture.shell_reason(SHELL.encode()) is not None
    long_text = " ".join(["word"] * 200)
    static = f"<html><body><p>{long_text}</p></body></html>".encode()
    assert capture.shell_reason(static) is None  # no scripts: renders to the same words
    with_script = f"<html><body><script>x()</script><p>{long_text}</p></body></html>".encode()
    assert capture.shell_reason(with_script) is None
    mount = f'<html><body><script>x()</script><p>{long_text}</p><div id="app"></div></body></html>'
    assert "empty #app" in capture.shell_reason(mount.encode())


@pytest.mark.browser
@pytest.mark.django_db
def test_auto_mode_renders_a_script_built_page_with_screenshot_warc_and_valid_wacz(
    origin: HTTPServer, media, settings
):
    settings.REEX_CAPTURE_MODE = "auto"
    snapshot = SnapshotFactory(url=serve_shell(origin))

    outcome = archive_snapshot(snapshot_id=snapshot.pk)

    snapshot.refresh_from_db()
    assert outcome.status == "archived", snapshot.error
    assert snapshot.capture == "browser"
    assert WORDS in snapshot.text  # written by the page's own script
    assert "60.4 percent" in snapshot.text  # arrived by XHR
    assert snapshot.content_type == "text/html; charset=utf-8"
    assert snapshot.screenshot.name.endswith(".png")
    with default_storage.open(snapshot.screenshot.name, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    log = snapshot.capture_log
    assert log["refused"] == [] and log["fetched"] >= 5, log
    records = warc_records(snapshot)
    responses = {uri for kind, uri, _ in records if kind == "response"}
    for path in ("/ir", "/app.js", "/site.css", "/logo.png", "/figures.json"):
        assert origin.url_for(path) in responses
    kinds = {uri.split(":", 2)[1] for kind, uri, _ in records if kind == "resource"}
    assert kinds == {"view", "screenshot"}
    with default_storage.open(snapshot.wacz.name, "rb") as fh:
        package = fh.read()
    valid, printed = wacz.validate(package)
    assert valid, printed
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    assert "datapackage.json" in names and "pages/pages.jsonl" in names


@pytest.mark.django_db
def test_http_mode_stores_the_shell_as_fetched(origin: HTTPServer, media, settings):
    settings.REEX_CAPTURE_MODE = "http"
    snapshot = SnapshotFactory(url=serve_shell(origin))
    archive_snapshot(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.capture == "http" and not snapshot.screenshot
    assert WORDS not in snapshot.text
    assert len(origin.log) == 1  # only the document: no browser ran


@pytest.mark.django_db
def test_without_a_render_worker_the_snapshot_says_why(origin: HTTPServer, media, settings):
    settings.REEX_CAPTURE_MODE = "browser"
    settings.REEX_EXTRACT_INLINE_BYTES = 0  # stored by the fetch, extraction queued
    WorkerHeartbeat.objects.all().delete()
    snapshot = SnapshotFactory(url=serve_shell(origin))

    outcome = archive_snapshot(snapshot_id=snapshot.pk, inline=False)

    snapshot.refresh_from_db()
    assert outcome.status == "stored"
    assert snapshot.capture == "http"
    assert snapshot.capture_note.startswith("browser capture not possible")
    assert NO_WORKER in snapshot.capture_note


@pytest.mark.django_db
def test_inline_without_chromium_the_snapshot_says_why(origin: HTTPServer, media, settings):
    settings.REEX_CHROMIUM = "/nowhere/chromium"
    snapshot = SnapshotFactory(url=serve_shell(origin), capture_wanted="browser")
    archive_snapshot(snapshot_id=snapshot.pk)
    snapshot.refresh_from_db()
    assert snapshot.status == "archived" and snapshot.capture == "http"
    assert "REEX_CHROMIUM=/nowhere/chromium is not an executable file" in snapshot.capture_note


@pytest.fixture
def canaries():
    """Servers on addresses the fetcher refuses: loopback on another port, and [::1]."""
    servers = [
        HTTPServer(host="127.0.0.1", port=0, threaded=True),
        HTTPServer(host="::1", port=0, threaded=True),
    ]
    for server in servers:
        server.expect_request("/ws").respond_with_data("", status=101)
        server.start()
    yield servers
    for server in servers:
        server.clear()
        server.stop()


@pytest.fixture
def socket_canary():
    """A bare listening socket on 127.0.0.1 that counts every connection made to it, even one
    that never sends a request (a browser's preconnect)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    accepted: list[tuple] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except OSError:
                continue
            accepted.append(peer)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join(2)
    listener.close()


@pytest.mark.browser
@pytest.mark.django_db
def test_no_request_of_the_page_reaches_a_refused_address(
    origin: HTTPServer, canaries, socket_canary, media, settings
):
    settings.REEX_CAPTURE_MODE = "browser"
    v4 = f"127.0.0.1:{canaries[0].port}"
    hosts = [v4, f"[::1]:{canaries[1].port}"]
    bare_port, connections = socket_canary
    bare = f"127.0.0.1:{bare_port}"
    tags = []
    for n, host in enumerate(hosts):
        tags += [
            f'<img src="http://{host}/img{n}.png">',
            f'<iframe src="http://{host}/frame{n}"></iframe>',
            f'<link rel="stylesheet" href="http://{host}/style{n}.css">',
        ]
    script = ";".join(
        f"fetch('http://{host}/xhr').catch(() => {{}});"
        f"try {{ new WebSocket('ws://{host}/ws') }} catch (e) {{}}"
        for host in hosts
    )
    # Connections the interception cannot see: a preconnect, a prefetch, an EventSource.
    tags += [
        f'<link rel="preconnect" href="http://{bare}">',
        f'<link rel="dns-prefetch" href="http://{bare}">',
        f'<link rel="prefetch" href="http://{bare}/next">',
        f'<img src="http://{bare}/bare.png">',
    ]
    script += f";try {{ new EventSource('http://{bare}/events') }} catch (e) {{}}"
    page = (
        f"<html><head><title>Canary</title></head><body><p>{' '.join(['word'] * 30)}</p>"
        f"{''.join(tags)}<img src='/hop.png'><script>{script};window.open('/hop.png')</script>"
        "</body></html>"
    )
    origin.expect_request("/canary").respond_with_data(page, content_type="text/html")
    # A redirect on the allowed origin to the canary: the hop is checked again and refused.
    origin.expect_request("/hop.png").respond_with_response(
        Response(status=302, headers={"Location": f"http://{v4}/redirected.png"})
    )
    snapshot = SnapshotFactory(url=origin.url_for("/canary"))

    archive_snapshot(snapshot_id=snapshot.pk)

    snapshot.refresh_from_db()
    assert snapshot.capture == "browser", snapshot.capture_note
    time.sleep(0.5)  # anything in flight would have arrived by now
    for server in canaries:
        assert server.log == [], f"{server.host}:{server.port} was reached: {server.log}"
    assert connections == [], f"{bare} was connected to: {connections}"
    refused = {entry["url"]: entry for entry in snapshot.capture_log["refused"]}
    for host in hosts:
        for path in (
            "/img0.png",
            "/img1.png",
            "/frame0",
            "/frame1",
            "/style0.css",
            "/style1.css",
            "/xhr",
        ):
            url = f"http://{host}{path}"
            if url in refused:
                assert refused[url]["kind"] == "address"
        assert f"http://{host}/xhr" in refused
    assert refused[origin.url_for("/hop.png")]["reason"].startswith("refused:")
    assert {f"ws://{host}/ws" for host in hosts} <= set(snapshot.capture_log["websockets_refused"])
    assert f"http://{v4}/img0.png" in refused and f"http://{v4}/frame0" in refused


@pytest.mark.browser
@pytest.mark.django_db
def test_a_page_that_never_stops_loading_ends_at_the_time_cap(origin: HTTPServer, media, settings):
    settings.REEX_CAPTURE_MODE = "browser"
    settings.REEX_CAPTURE_TIMEOUT = 3

    def slow(request):
        time.sleep(8)
        return Response(PNG, content_type="image/png")

    page = f"<html><body><p>{WORDS}.</p><img src='/slow.png'></body></html>"
    origin.expect_request("/hangs").respond_with_data(page, content_type="text/html")
    origin.expect_request("/slow.png").respond_with_handler(slow)
    snapshot = SnapshotFactory(url=origin.url_for("/hangs"))

    started = time.monotonic()
    archive_snapshot(snapshot_id=snapshot.pk)
    took = time.monotonic() - started

    snapshot.refresh_from_db()
    assert snapshot.status == "archived" and snapshot.capture == "browser"
    assert took < 7.5, took
    assert "time cap (3 s)" in snapshot.capture_note
    assert WORDS in snapshot.text
    assert snapshot.screenshot


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_without_chromium_leaves_browser_captures_to_one_with_it(
    make_celery_worker, origin: HTTPServer, settings
):
    purge_queue(settings.REEX_RENDER_QUEUE)
    # One worker on every queue but without Chromium; one on the render queue only, with it.
    plain = make_celery_worker(
        REEX_CHROMIUM="/nowhere/chromium", REEX_RENDER_QUEUE=settings.REEX_RENDER_QUEUE,
        queues="all",
    )  # fmt: skip
    assert "not consuming the render queue" in plain.log()
    renderer = make_celery_worker(REEX_RENDER_QUEUE=settings.REEX_RENDER_QUEUE, queues="render")
    heartbeats = wait_for(
        lambda: WorkerHeartbeat.objects.count() == 2 and list(WorkerHeartbeat.objects.all()),
        what="two heartbeats",
    )
    consuming = {hb.name: hb.queues for hb in heartbeats}
    assert [name for name, q in consuming.items() if settings.REEX_RENDER_QUEUE in q] == [
        name for name in consuming if name.startswith(renderer.name_prefix)
    ]
    snapshot = SnapshotFactory(url=serve_shell(origin), capture_wanted="browser")

    assert enqueue_archive(snapshot.pk)

    wait_for(
        lambda: Snapshot.objects.filter(pk=snapshot.pk, status="archived").exists(),
        timeout=60,
        what="the browser capture",
        worker=renderer,
    )
    snapshot.refresh_from_db()
    assert snapshot.capture == "browser", snapshot.capture_note
    assert WORDS in snapshot.text
    assert "render_snapshot[" in renderer.log() and "render_snapshot[" not in plain.log()


@pytest.mark.browser
@pytest.mark.django_db
def test_api_desk_and_evidence_wacz_of_a_browser_capture(
    origin: HTTPServer, media, settings, client, token_client, consumer, reviewer, editor
):
    from django.db import transaction

    from tests.factories import EvidenceFactory

    settings.REEX_CAPTURE_MODE = "auto"
    url = serve_shell(origin)
    static = "<html><head><title>Filing</title></head><body><p>" + " ".join(["Output rose."] * 20)
    origin.expect_request("/filing").respond_with_data(
        static + "</p></body></html>", content_type="text/html"
    )
    rendered = SnapshotFactory(url=url)
    plain = SnapshotFactory(url=origin.url_for("/filing"))
    archive_snapshot(snapshot_id=rendered.pk)
    archive_snapshot(snapshot_id=plain.pk)
    rendered.refresh_from_db()
    plain.refresh_from_db()
    assert (rendered.capture, plain.capture) == ("browser", "http")
    ev = EvidenceFactory(url=url, snapshot=rendered)
    EvidenceFactory(url=plain.url, snapshot=plain, claim=ev.claim)

    # The API: capture, screenshot_url, wacz_url, followed with the same token.
    api = token_client(consumer)
    data = api.get(f"/api/v1/snapshots/{rendered.pk}/").json()
    assert data["capture"] == "browser"
    shot = api.get(data["screenshot_url"])
    assert shot.status_code == 200 and shot["Content-Type"] == "image/png"
    assert shot["Content-Security-Policy"].startswith("sandbox")
    assert wacz.validate(api.get(data["wacz_url"]).getvalue())[0]
    data = api.get(f"/api/v1/snapshots/{plain.pk}/").json()
    assert data["capture"] == "http" and data["screenshot_url"] is None
    plain_wacz = api.get(data["wacz_url"])  # packaged from the plain WARC, once
    assert plain_wacz["Content-Type"] == "application/wacz+zip"
    assert wacz.validate(plain_wacz.getvalue())[0]

    # The desk: the screenshot beside the text; the archived body still sandboxed.
    client.force_login(reviewer)
    claim = ev.claim
    text = client.get(f"/claims/{claim.pk}/evidence/{ev.pk}/text/", HTTP_HX_REQUEST="true")
    assert f"/archive/{rendered.pk}/screenshot/" in text.content.decode()
    assert WORDS in text.content.decode()
    body = client.get(f"/archive/{rendered.pk}/content/")
    assert (
        "sandbox" in body["Content-Security-Policy"]
        and "script-src 'none'" in body["Content-Security-Policy"]
    )

    # A reviewer asks for a browser re-capture of the plain source: a new snapshot, queued.
    plain_ev = claim.evidence.get(snapshot=plain)
    with transaction.atomic():
        answer = client.post(f"/claims/{claim.pk}/evidence/{plain_ev.pk}/recapture/")
    assert answer.status_code == 302
    fresh = Snapshot.objects.get(previous=plain)
    assert fresh.capture_wanted == "browser" and fresh.status == "pending"
    archive_snapshot(snapshot_id=fresh.pk)
    fresh.refresh_from_db()
    assert fresh.capture == "browser" and fresh.drift == ""  # another kind of capture: no drift

    # One claim's evidence as one WACZ, for an editor.
    client.force_login(editor)
    bundle = client.get(f"/claims/{claim.pk}/evidence.wacz")
    assert bundle.status_code == 200, bundle
    package = bundle.getvalue()  # streamed from storage
    valid, printed = wacz.validate(package)
    assert valid, printed
    pages = zipfile.ZipFile(io.BytesIO(package)).read("pages/pages.jsonl").decode()
    assert url in pages
    article = client.get(f"/articles/{claim.article.key}/evidence.wacz")
    assert article.status_code == 200 and wacz.validate(article.getvalue())[0]


@pytest.mark.django_db
def test_a_plain_restore_after_a_browser_capture_clears_and_deletes_what_it_left(
    origin: HTTPServer, media, settings
):
    """A browser capture was stored, then its attempt was lost; the sweep's attempt stores the
    plain fetch (no render worker now, say). The row keeps none of the browser capture: no
    screenshot, WACZ or log, and their files (and the old WARC) are deleted from storage."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    settings.REEX_CAPTURE_MODE = "http"
    stale = timezone.now() - timedelta(seconds=settings.REEX_ARCHIVE_STALE_SECONDS + 1)
    old = {
        "warc": default_storage.save("warc/old.warc.gz", ContentFile(b"warc")),
        "screenshot": default_storage.save("screenshots/old.png", ContentFile(PNG)),
        "wacz": default_storage.save("wacz/old.wacz", ContentFile(b"wacz")),
    }
    snapshot = SnapshotFactory(
        url=serve_shell(origin),
        status=Snapshot.Status.FETCHING,
        fetch_started_at=stale,
        attempts=1,
        capture="browser",
        capture_log={"fetched": 5, "refused": []},
        capture_note="rendered",
        **old,
    )

    outcome = archive_snapshot(snapshot_id=snapshot.pk)

    snapshot.refresh_from_db()
    assert outcome.status == "archived", snapshot.error
    assert snapshot.capture == "http"
    assert (snapshot.screenshot.name, snapshot.wacz.name) == ("", "")
    assert snapshot.capture_log == {} and snapshot.capture_note == ""
    assert snapshot.warc.name != old["warc"]
    assert [name for name in old.values() if default_storage.exists(name)] == []
