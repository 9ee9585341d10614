"""Browser capture: a page rendered in headless Chromium, every request answered by the fetcher.

Why: many sources build their text with their own scripts; the plain fetch stores the empty
shell. A browser capture keeps what a reader saw: the rendered DOM (its text extracted as
today, sources/extract.py), a full-page PNG screenshot, every response the browser received as
WARC records, and the whole packaged as WACZ 1.1 (sources/wacz.py).

The browser never touches the network itself. Every request of every page, frame and popup of
the capture's context is intercepted (`BrowserContext.route("**/*")`) and answered from
`sources.fetch.fetch`, so the connect-time address check, redirects re-checked hop by hop, the
byte and time caps hold for every image, script, frame and XHR exactly as for the plain fetch;
a refused request is aborted and listed in `Snapshot.capture_log["refused"]`. WebSockets are
answered by a route that never connects (`route_web_socket`), service workers are blocked,
downloads refused, popups closed, no permission is granted. Behind that, Chromium runs with a
proxy that does not exist (`--proxy-server` on a closed loopback port, loopback not bypassed) and
WebRTC limited to proxied UDP, so a request interception missed could still not leave.

When (`REEX_CAPTURE_MODE`): `http` never renders; `browser` renders every HTML page; `auto`
(default) fetches plainly and renders only a shell: a page with scripts and little text, or an
empty mount point (`#root`, `#app`, `#__next`). A snapshot with `capture_wanted = "browser"` (a
reviewer's re-capture) is rendered whatever the mode. Rendering runs on its own queue
(REEX_RENDER_QUEUE, sources.capture_tasks) in a worker that has Chromium; when no such worker is
alive (heartbeats), or Chromium cannot start, the page is stored as the plain fetch got it and
`capture_note` says why a browser capture was not possible.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from sources.extract import HTML_TYPES, decode
from sources.fetch import FetchError, FetchResult, fetch
from sources.warc import _DROP_HEADERS

log = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--mute-audio",
    "--dns-prefetch-disable",
    "--disable-quic",
    # Defence in depth: a request the interception did not answer has nowhere to go.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]
VIEWPORT = {"width": 1280, "height": 900}
# Chromium cannot paint taller than this in one screenshot; a longer page is cut there.
MAX_SCREENSHOT_HEIGHT = 16000
# Request headers of the browser passed on to the fetcher (it sets its own User-Agent).
_PASS_HEADERS = {"accept", "accept-language", "content-type", "referer", "origin"}
_SCRIPT_TAG = re.compile(rb"<script", re.I)
_MOUNT_IDS = ("root", "app", "__next", "__nuxt", "___gatsby", "main-app")
_SCROLL_JS = """async (steps) => {
  for (let i = 0; i < steps; i++) {
    const before = window.scrollY;
    window.scrollBy(0, window.innerHeight);
    await new Promise(r => setTimeout(r, 100));
    if (window.scrollY === before) break;
  }
  window.scrollTo(0, 0);
  return document.documentElement.scrollHeight;
}"""


class CaptureUnavailable(Exception):
    """A browser capture cannot run here (no Chromium, Playwright missing, launch failed)."""


# --- When to render ---------------------------------------------------------------------------


def chromium_problem() -> str | None:
    """Why this process cannot run Chromium, in words, or None when it can (as far as a look at
    the file and the Playwright import tell; a launch can still fail)."""
    path = settings.REEX_CHROMIUM
    if not path:
        return "REEX_CHROMIUM is empty: no Chromium is configured"
    found = shutil.which(path) or path
    if not (os.path.isfile(found) and os.access(found, os.X_OK)):
        return f"REEX_CHROMIUM={path} is not an executable file"
    try:
        import playwright.async_api  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - reported in words
        return f"Playwright cannot be imported ({type(exc).__name__}: {exc})"
    return None


def render_workers_alive() -> bool:
    """A worker with a fresh heartbeat consumes the render queue."""
    from sources.selectors import live_workers

    return any(settings.REEX_RENDER_QUEUE in (w["queues"] or []) for w in live_workers())


def wanted(snapshot) -> str:
    """The capture this snapshot asks for: `http`, `browser` or `auto`."""
    if snapshot.capture_wanted:
        return snapshot.capture_wanted
    return settings.REEX_CAPTURE_MODE


def shell_reason(body: bytes, *, charset: str | None = None) -> str | None:
    """Why an HTML body looks like a shell that its scripts fill in, or None: it has scripts and
    fewer than REEX_CAPTURE_SHELL_WORDS words of text, or an empty mount point (`#root`...).
    A page without scripts renders to the same words, so it is never a shell."""
    import lxml.html
    from lxml.etree import ParserError

    if not _SCRIPT_TAG.search(body):
        return None  # the common case, decided without parsing (this runs on fetching threads)
    markup, _ = decode(body, charset=charset)
    try:
        tree = lxml.html.document_fromstring(markup)
    except (ParserError, ValueError):
        return None
    scripts = len(tree.xpath("//script"))
    if not scripts:
        return None
    mounts = [
        el.get("id")
        for el in tree.xpath("//*[@id]")
        if el.get("id") in _MOUNT_IDS and not len(el) and not (el.text or "").strip()
    ]
    for el in tree.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    body_el = tree.find("body")
    words = len((body_el if body_el is not None else tree).text_content().split())
    if words < settings.REEX_CAPTURE_SHELL_WORDS:
        return f"little text ({words} words) and {scripts} script{'s' * (scripts != 1)}"
    if mounts:
        return f"a script-built body (an empty #{mounts[0]})"
    return None


def is_html(result: FetchResult) -> bool:
    return result.mime_type in HTML_TYPES


# --- The capture ------------------------------------------------------------------------------


@dataclass
class Exchange:
    """One request the browser made and the fetcher's answer (or why it refused)."""

    url: str
    method: str
    resource_type: str
    result: FetchResult | None = None
    redirect_to: str = ""
    refused: str = ""
    kind: str = ""
    at: str = ""


@dataclass
class Capture:
    url: str
    main: FetchResult
    dom: str = ""
    title: str = ""
    screenshot: bytes = b""
    exchanges: list[Exchange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    started: str = ""

    @property
    def final_url(self) -> str:
        return self.main.final_url

    @property
    def refused(self) -> list[dict]:
        return [
            {"url": e.url, "reason": e.refused, "kind": e.kind} for e in self.exchanges if e.refused
        ]

    def log(self) -> dict:
        fetched = [e for e in self.exchanges if e.result is not None]
        return {
            "requests": len(self.exchanges),
            "fetched": len(fetched),
            "bytes": sum(len(e.result.body) for e in fetched),
            "refused": self.refused,
            "websockets_refused": self.websockets,
            "popups_closed": self.popups,
            "notes": self.notes,
            "seconds": round(self.elapsed, 3),
        }


class _Budget:
    """What one capture may still spend: time until the cap, bytes, requests."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + settings.REEX_CAPTURE_TIMEOUT
        self.bytes = settings.REEX_CAPTURE_MAX_BYTES
        self.requests = settings.REEX_CAPTURE_MAX_REQUESTS

    def seconds(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def ms(self, at_least: float = 50) -> float:
        return max(self.seconds() * 1000, at_least)


class _Renderer:
    """One Chromium for one thread, with the event loop it lives on; reused across captures
    (a fresh browser context each time, so nothing is shared between pages)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.playwright = None
        self.browser = None
        # The fetcher blocks: it runs beside the loop, several requests of a page at once.
        self.pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="reex-capture-fetch")

    def ensure(self):
        if self.browser is not None and self.browser.is_connected():
            return self.browser
        problem = chromium_problem()
        if problem:
            raise CaptureUnavailable(problem)
        from playwright.async_api import async_playwright

        async def start():
            if self.playwright is None:
                self.playwright = await async_playwright().start()
            return await self.playwright.chromium.launch(
                executable_path=shutil.which(settings.REEX_CHROMIUM) or settings.REEX_CHROMIUM,
                args=CHROMIUM_ARGS,
                handle_sigint=False,
                handle_sigterm=False,
                handle_sighup=False,
            )

        try:
            self.browser = self.loop.run_until_complete(start())
        except Exception as exc:
            raise CaptureUnavailable(f"Chromium did not start: {exc}".splitlines()[0]) from exc
        return self.browser

    def close(self) -> None:
        async def stop():
            if self.browser is not None:
                await self.browser.close()
            if self.playwright is not None:
                await self.playwright.stop()

        with contextlib.suppress(Exception):
            self.loop.run_until_complete(stop())
        self.browser = self.playwright = None
        self.pool.shutdown(wait=False, cancel_futures=True)
        with contextlib.suppress(Exception):
            self.loop.close()


_local = threading.local()


def _renderer() -> _Renderer:
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = _Renderer()
    return renderer


def close_renderer() -> None:
    """Close this thread's Chromium (tests, the benchmark, worker shutdown)."""
    renderer = getattr(_local, "renderer", None)
    if renderer is not None:
        renderer.close()
        _local.renderer = None


def render(url: str, main: FetchResult) -> Capture:
    """Render `url`, whose document the fetcher already got (`main`), in this thread's Chromium.
    Raises CaptureUnavailable when Chromium cannot run, FetchError when the main document failed
    inside the browser (it never does for a document fetched already, unless it redirects to a
    refused address, say)."""
    renderer = _renderer()
    browser = renderer.ensure()
    capture = Capture(url=url, main=main, started=timezone.now().isoformat())
    started = time.monotonic()
    try:
        renderer.loop.run_until_complete(_render(browser, renderer.pool, capture))
    finally:
        capture.elapsed = time.monotonic() - started
    return capture


def _is_main_document(request, page) -> bool:
    if not request.is_navigation_request():
        return False
    try:
        return request.frame == page.main_frame
    except Exception:  # noqa: BLE001 - a popup's navigation, before its frame exists
        return False


def _fulfil_headers(result: FetchResult) -> dict[str, str]:
    return {k: v for k, v in result.headers.items() if k.lower() not in _DROP_HEADERS}


async def _render(browser, pool: ThreadPoolExecutor, capture: Capture) -> None:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    budget = _Budget()
    loop = asyncio.get_running_loop()
    # Answers already fetched: the main document, and the end of a redirect the browser is told
    # to follow (the fetcher followed and checked every hop already).
    ready: dict[str, FetchResult] = {capture.url: capture.main}
    if capture.main.final_url != capture.url:
        ready[capture.main.final_url] = capture.main
    main_error: list[FetchError] = []

    async def answer(route, request) -> None:
        # The page or context may close meanwhile (the capture ended at its cap).
        with contextlib.suppress(PlaywrightError):
            await _answer(route, request)

    async def _answer(route, request) -> None:
        url = request.url
        exchange = Exchange(
            url=url,
            method=request.method,
            resource_type=request.resource_type,
            at=timezone.now().isoformat(),
        )
        capture.exchanges.append(exchange)
        is_main = _is_main_document(request, page)
        if urlsplit(url).scheme not in ("http", "https"):
            exchange.refused, exchange.kind = "refused: only http and https are fetched", "scheme"
            await route.abort("blockedbyclient")
            return
        result = ready.pop(url, None) if request.method == "GET" else None
        if result is None:
            budget.requests -= 1
            if budget.requests < 0 or budget.bytes <= 0 or budget.seconds() <= 0:
                exchange.refused = (
                    "not fetched: the capture's request, byte or time cap was reached"
                )
                exchange.kind = "cap"
                await route.abort("blockedbyclient")
                return
            headers = {k: v for k, v in request.headers.items() if k.lower() in _PASS_HEADERS}
            try:
                result = await loop.run_in_executor(
                    pool,
                    lambda: fetch(
                        url,
                        method=request.method,
                        data=request.post_data_buffer,
                        headers=headers,
                        max_bytes=min(settings.REEX_FETCH_MAX_BYTES, max(budget.bytes, 1)),
                        # A little past the cap: the page's own time cap ends the load
                        # first (and says so), never a subresource timing out just before.
                        timeout=min(settings.REEX_FETCH_TIMEOUT, budget.seconds() + 1),
                    ),
                )
            except FetchError as exc:
                exchange.refused, exchange.kind = exc.reason, exc.kind
                if is_main:
                    main_error.append(exc)
                if exc.kind == "http" and exc.status:
                    # The browser sees the status (a 404 image stays a broken image).
                    await route.fulfill(status=exc.status, body=b"")
                else:
                    await route.abort(
                        "blockedbyclient" if exc.kind in ("address", "scheme") else "failed"
                    )
                return
            except Exception as exc:  # noqa: BLE001 - one subresource, never the capture
                exchange.refused, exchange.kind = f"not fetched: {exc}", "internal"
                await route.abort("failed")
                return
            budget.bytes -= len(result.body)
        exchange.result = result
        if request.method == "GET" and result.final_url != url:
            # The fetcher followed the redirects; the browser follows one hop to the end, so
            # relative addresses resolve against the page's real address.
            exchange.redirect_to = result.final_url
            ready[result.final_url] = result
            await route.fulfill(status=302, headers={"Location": result.final_url}, body=b"")
            return
        await route.fulfill(status=result.status, headers=_fulfil_headers(result), body=result.body)

    async def refuse_socket(ws) -> None:
        capture.websockets.append(ws.url)
        await ws.close(code=1008, reason="WebSockets are not opened in an archive capture")

    context = await browser.new_context(
        viewport=VIEWPORT,
        service_workers="block",
        accept_downloads=False,
        permissions=[],
        java_script_enabled=True,
        ignore_https_errors=False,
    )
    try:
        context.set_default_timeout(budget.ms())
        await context.route("**/*", answer)
        await context.route_web_socket("**/*", refuse_socket)
        page = await context.new_page()

        async def on_page(popup) -> None:
            if popup is not page:
                capture.popups.append(popup.url)
                with contextlib.suppress(PlaywrightError):
                    await popup.close()

        context.on("page", on_page)
        # Dialogs (alert, confirm) are dismissed by Playwright when nobody listens.
        cap = settings.REEX_CAPTURE_TIMEOUT
        try:
            await page.goto(capture.url, wait_until="load", timeout=budget.ms())
        except PlaywrightTimeout:
            capture.notes.append(
                f"the page had not finished loading at the time cap ({cap} s): "
                "captured as it was then"
            )
        except PlaywrightError as exc:
            if main_error:
                raise main_error[0] from None
            raise FetchError(
                f"the browser could not load the page: {exc}".splitlines()[0], True, "render"
            ) from None
        if main_error:
            raise main_error[0]
        if budget.seconds() > 0:
            try:
                await page.wait_for_load_state("networkidle", timeout=budget.ms())
            except PlaywrightTimeout:
                capture.notes.append(
                    f"the network never went quiet before the time cap ({cap} s): "
                    "captured as it was then"
                )
        if budget.seconds() > 0.5:
            with contextlib.suppress(PlaywrightError):
                await asyncio.wait_for(page.evaluate(_SCROLL_JS, 20), budget.seconds())
            with contextlib.suppress(PlaywrightError):
                await page.wait_for_load_state("networkidle", timeout=min(1500, budget.ms()))
        # What is kept, whatever the cap left: a little time beyond it to read the page.
        context.set_default_timeout(10_000)
        capture.dom = await page.content()
        capture.title = await page.title()
        height = await page.evaluate("document.documentElement.scrollHeight")
        try:
            if height and height > MAX_SCREENSHOT_HEIGHT:
                capture.notes.append(f"screenshot cut at {MAX_SCREENSHOT_HEIGHT} px of {height}")
                capture.screenshot = await page.screenshot(
                    type="png",
                    full_page=True,
                    clip={
                        "x": 0,
                        "y": 0,
                        "width": VIEWPORT["width"],
                        "height": MAX_SCREENSHOT_HEIGHT,
                    },
                )
            else:
                capture.screenshot = await page.screenshot(type="png", full_page=True)
        except PlaywrightError as exc:
            capture.notes.append(f"no screenshot: {exc}".splitlines()[0])
    finally:
        with contextlib.suppress(Exception):
            await context.close()
