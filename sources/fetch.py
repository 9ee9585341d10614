"""Safe fetching of outside URLs: the only way reex talks to the live web.

Rules (issue 4), all enforced here, for archiving and for webhooks alike:

- only `http` and `https`;
- every A/AAAA address of the host must be globally routable (see
  `sources.addresses.address_problem`);
- the socket connects to the very address that was checked:
  `sources.connections._GuardedConnectionMixin._new_conn`
  resolves, vets and connects in one step, so a DNS answer that changes between a check and the
  connect (DNS rebinding) has no window. TLS still verifies the certificate against the host name;
- every redirect hop goes through the same connect-time check (at most `MAX_REDIRECTS` hops;
  non-GET requests, such as webhook POSTs, never follow redirects);
- proxies from the environment are ignored (`trust_env = False`);
- a byte cap on the *decoded* body (gzip bombs stop at the cap) and a cap on total wall time
  (a watchdog shuts the sockets down at the deadline, so a server dripping one byte a second
  cannot hold a worker);
- an honest User-Agent.

Only `settings.REEX_FETCH_ALLOWLIST` (loopback "host:port" pairs, for tests and local demos) lets
a named loopback host and port through; production leaves it empty.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from sources.connections import (
    AddressRefused,
    ConnectFailed,
    DNSFailed,
    GuardedHTTPConnectionPool,
    GuardedHTTPSConnectionPool,
    _context,
    _FetchContext,
)

MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024

__all__ = [
    "FetchError",
    "FetchResult",
    "fetch",
]


class FetchError(Exception):
    """A fetch that did not produce a usable response.

    `reason` is a sentence a person can read; `transient` says whether trying again later may
    succeed (timeouts, connection errors, 5xx, 429); `kind` is a short machine word: scheme,
    address, dns, connect, timeout, too_large, tls, http, content_type, redirect, protocol.
    `status` is the HTTP status for kind == "http"; `retry_after` the server's hint in seconds.
    """

    def __init__(
        self,
        reason: str,
        transient: bool = False,
        kind: str = "error",
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.kind = kind
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.reason


@dataclass
class FetchResult:
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    ip_address: str
    redirects: list[str] = field(default_factory=list)
    content_type: str = ""
    elapsed: float = 0.0
    # What went on the wire, for the WARC request record.
    request_method: str = "GET"
    request_headers: dict[str, str] = field(default_factory=dict)
    http_version: str = "HTTP/1.1"
    reason_phrase: str = ""

    @property
    def mime_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


class GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": GuardedHTTPConnectionPool,
            "https": GuardedHTTPSConnectionPool,
        }

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # pragma: no cover - never configured
        raise FetchError("refused: proxies are not used for fetching", False, "proxy")


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no HTTP(S)_PROXY, no .netrc, no REQUESTS_CA_BUNDLE surprises
    session.proxies = {}
    adapter = GuardedAdapter(max_retries=0, pool_connections=4, pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- fetch() ----------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _seconds(n: float) -> str:
    return f"{n:g} s"


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = scheme or "no scheme"
        raise FetchError(
            f"refused: only http and https addresses can be fetched (got {shown})", False, "scheme"
        )
    if not parts.hostname:
        raise FetchError(f"refused: no host name in {url!r}", False, "scheme")
    if parts.username or parts.password:
        raise FetchError(
            "refused: addresses with a user name or password are not fetched", False, "scheme"
        )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _status_error(status: int, reason_phrase: str, headers) -> FetchError:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = reason_phrase or "error"
    transient = status >= 500 or status in (408, 425, 429)
    return FetchError(
        f"HTTP {status} {phrase}",
        transient,
        "http",
        status=status,
        retry_after=_retry_after(headers.get("Retry-After")),
    )


def _walk(exc: BaseException):
    """The exception and everything it wraps (requests → urllib3 → socket)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for attr in ("reason", "__cause__", "__context__"):
            inner = getattr(current, attr, None)
            if isinstance(inner, BaseException):
                stack.append(inner)
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                stack.append(arg)


def _translate(exc: BaseException, *, url: str, timeout: float, ctx: _FetchContext) -> FetchError:
    chain = list(_walk(exc))
    for inner in chain:
        if isinstance(inner, FetchError):
            return inner
        if isinstance(inner, AddressRefused):
            return FetchError(inner.refusal, False, "address")
        if isinstance(inner, DNSFailed):
            return FetchError(inner.refusal, inner.transient, "dns")
        if isinstance(inner, ConnectFailed):
            return FetchError(inner.refusal, True, "connect")
    if ctx.expired or any(
        isinstance(inner, TimeoutError | socket.timeout | requests.Timeout) for inner in chain
    ):
        return FetchError(f"timed out after {_seconds(timeout)}", True, "timeout")
    for inner in chain:
        if isinstance(inner, ssl.SSLError | ssl.CertificateError | requests.exceptions.SSLError):
            detail = (
                getattr(inner, "reason", None) or getattr(inner, "verify_message", None) or inner
            )
            if isinstance(inner, ssl.SSLCertVerificationError):
                detail = inner.verify_message or inner
            return FetchError(f"TLS error: {detail}", False, "tls")
    host = urlsplit(url).hostname or url
    for inner in chain:
        if (
            isinstance(inner, ConnectionRefusedError)
            or getattr(inner, "errno", None) == errno.ECONNREFUSED
        ):
            return FetchError(f"could not connect to {host}: connection refused", True, "connect")
    for inner in chain:
        if isinstance(inner, NewConnectionError):
            return FetchError(f"could not connect to {host}: {inner}", True, "connect")
    return FetchError(f"connection to {host} failed: {exc}", True, "protocol")


@dataclass(frozen=True)
class _Request:
    """What the caller asked for, with the settings' defaults filled in."""

    method: str
    data: bytes | None
    headers: dict[str, str]
    max_bytes: int
    timeout: float
    accept: frozenset[str] | None


def _request(
    *,
    method: str,
    data: bytes | None,
    headers: dict[str, str] | None,
    max_bytes: int | None,
    timeout: float | None,
    accept_types: Iterable[str] | None,
) -> _Request:
    return _Request(
        method=method.upper(),
        data=data,
        headers={
            "User-Agent": settings.REEX_FETCH_USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5",
            **(headers or {}),
        },
        max_bytes=max_bytes or settings.REEX_FETCH_MAX_BYTES,
        timeout=float(timeout or settings.REEX_FETCH_TIMEOUT),
        accept=frozenset(t.lower() for t in accept_types) if accept_types is not None else None,
    )


def _timed_out(timeout: float) -> FetchError:
    return FetchError(f"timed out after {_seconds(timeout)}", True, "timeout")


@contextlib.contextmanager
def _deadline(timeout: float) -> Iterator[_FetchContext]:
    """This fetch's context: every socket it opens is shut when `timeout` has passed."""
    ctx = _FetchContext(deadline=time.monotonic() + timeout)
    watchdog = threading.Timer(timeout, ctx.expire)
    watchdog.daemon = True
    token = _context.set(ctx)
    watchdog.start()
    try:
        yield ctx
    finally:
        watchdog.cancel()
        _context.reset(token)


def _send(
    session: requests.Session, url: str, request: _Request, ctx: _FetchContext
) -> requests.Response:
    """One request (no redirect followed), its errors as FetchError."""
    _check_scheme(url)
    remaining = ctx.remaining()
    if remaining <= 0:
        raise _timed_out(request.timeout)
    try:
        return session.request(
            request.method,
            url,
            data=request.data,
            headers=request.headers,
            allow_redirects=False,
            stream=True,
            timeout=(remaining, remaining),
        )
    except FetchError:
        raise
    except Exception as exc:
        raise _translate(exc, url=url, timeout=request.timeout, ctx=ctx) from exc


def _redirect_target(response: requests.Response, url: str, request: _Request, hops: int):
    """Where a redirect points (checked: GET only, at most MAX_REDIRECTS, http(s) only), or
    None when `response` is not a redirect."""
    if response.status_code not in REDIRECT_STATUSES or not response.headers.get("Location"):
        return None
    target = urljoin(url, response.headers["Location"])
    if request.method != "GET":
        raise FetchError(
            f"redirect not followed for {request.method}: HTTP {response.status_code} to {target}",
            False,
            "redirect",
            status=response.status_code,
        )
    if hops >= MAX_REDIRECTS:
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})", False, "redirect")
    if urlsplit(target).scheme.lower() not in ("http", "https"):
        raise FetchError(f"refused: redirect to {target} (only http and https)", False, "scheme")
    return target


def _follow(
    session: requests.Session, url: str, request: _Request, ctx: _FetchContext
) -> tuple[requests.Response, str, list[str]]:
    """The final response, its URL, and the URLs redirected from (each hop checked again)."""
    redirects: list[str] = []
    current = url
    while True:
        response = _send(session, current, request, ctx)
        try:
            target = _redirect_target(response, current, request, len(redirects))
        except FetchError:
            response.close()
            raise
        if target is None:
            return response, current, redirects
        response.close()
        redirects.append(current)
        current = target


def _check_response(response: requests.Response, request: _Request) -> None:
    """Refuse, before reading the body: an error status, a type the caller cannot use, a
    declared length over the cap."""
    if response.status_code >= 400:
        raise _status_error(response.status_code, response.reason, response.headers)
    mime = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if request.accept is not None and mime not in request.accept:
        raise FetchError(
            f"unsupported content type {mime or '(none given)'}", False, "content_type"
        )
    declared = response.headers.get("Content-Length", "")
    if (
        declared.isdigit()
        and int(declared) > request.max_bytes
        and not response.headers.get("Content-Encoding")
    ):
        raise FetchError(f"larger than {_mb(request.max_bytes)}", False, "too_large")


def _read_body(
    response: requests.Response, url: str, request: _Request, ctx: _FetchContext
) -> bytes:
    """The decoded body, stopped at the byte cap and at the deadline."""
    body = bytearray()
    try:
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > request.max_bytes:
                raise FetchError(f"larger than {_mb(request.max_bytes)}", False, "too_large")
            if ctx.remaining() <= 0:
                raise _timed_out(request.timeout)
    except FetchError:
        raise
    except Exception as exc:
        raise _translate(exc, url=url, timeout=request.timeout, ctx=ctx) from exc
    if ctx.expired:
        # The watchdog shut the socket: an EOF-delimited body would look complete.
        raise _timed_out(request.timeout)
    return bytes(body)


def _vetted_ip(response: requests.Response) -> str:
    """The address the connection was checked and made to (see _GuardedConnectionMixin)."""
    connection = getattr(response.raw, "connection", None) or getattr(
        response.raw, "_connection", None
    )
    return getattr(connection, "vetted_ip", "") or ""


def fetch(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
    accept_types: Iterable[str] | None = None,
) -> FetchResult:
    """Fetch `url` under the safe-fetch rules; return the decoded body, or raise `FetchError`.

    GET follows at most five redirects, each hop checked again; any other method never follows
    a redirect (a 3xx answer raises FetchError kind "redirect"). A status of 400 or more raises
    FetchError kind "http" (transient for 5xx, 408, 425 and 429). `accept_types`, when given, is
    the list of MIME types the caller can use ("text/html", ...); anything else raises kind
    "content_type" before the body is read. `max_bytes` and `timeout` default to
    REEX_FETCH_MAX_BYTES and REEX_FETCH_TIMEOUT.
    """
    request = _request(
        method=method,
        data=data,
        headers=headers,
        max_bytes=max_bytes,
        timeout=timeout,
        accept_types=accept_types,
    )
    started = time.monotonic()
    with _deadline(request.timeout) as ctx, _session() as session:
        response, final_url, redirects = _follow(session, url, request, ctx)
        try:
            _check_response(response, request)
            ip_address = _vetted_ip(response)
            body = _read_body(response, final_url, request, ctx)
            raw_version = getattr(response.raw, "version", 11)
        finally:
            response.close()
    return FetchResult(
        final_url=final_url,
        status=response.status_code,
        headers=dict(response.headers),
        body=body,
        ip_address=ip_address,
        redirects=redirects,
        content_type=response.headers.get("Content-Type", ""),
        elapsed=time.monotonic() - started,
        request_method=request.method,
        request_headers=dict(response.request.headers),
        http_version="HTTP/1.0" if raw_version == 10 else "HTTP/1.1",
        reason_phrase=response.reason or "",
    )
