"""Safe fetching of outside URLs: the only way reex talks to the live web.

Rules (issue 4), all enforced here, for archiving and for webhooks alike:

- only `http` and `https`;
- every A/AAAA address of the host must be globally routable (see `address_problem`);
- the socket connects to the very address that was checked: `_GuardedConnectionMixin._new_conn`
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
import contextvars
import errno
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util.connection import _set_socket_options

MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024

__all__ = [
    "FetchError",
    "FetchResult",
    "address_problem",
    "allowlisted",
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


# --- The address check ------------------------------------------------------------------------

_V4_NAMED: list[tuple[ipaddress.IPv4Network, str]] = [
    (ipaddress.ip_network("0.0.0.0/8"), "an unspecified ('this network') address"),
    (ipaddress.ip_network("127.0.0.0/8"), "a loopback address"),
    (ipaddress.ip_network("169.254.169.254/32"), "a link-local (cloud metadata) address"),
    (ipaddress.ip_network("169.254.0.0/16"), "a link-local address"),
    (ipaddress.ip_network("10.0.0.0/8"), "a private address"),
    (ipaddress.ip_network("172.16.0.0/12"), "a private address"),
    (ipaddress.ip_network("192.168.0.0/16"), "a private address"),
    (ipaddress.ip_network("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),
    (ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol assignment address"),
    (ipaddress.ip_network("192.0.2.0/24"), "a documentation address"),
    (ipaddress.ip_network("198.51.100.0/24"), "a documentation address"),
    (ipaddress.ip_network("203.0.113.0/24"), "a documentation address"),
    (ipaddress.ip_network("198.18.0.0/15"), "a benchmarking address"),
    (ipaddress.ip_network("192.88.99.0/24"), "a 6to4 relay address"),
    (ipaddress.ip_network("224.0.0.0/4"), "a multicast address"),
    (ipaddress.ip_network("255.255.255.255/32"), "the broadcast address"),
    (ipaddress.ip_network("240.0.0.0/4"), "a reserved address"),
]

_V6_NAMED: list[tuple[ipaddress.IPv6Network, str]] = [
    (ipaddress.ip_network("::/128"), "an unspecified address"),
    (ipaddress.ip_network("::1/128"), "a loopback address"),
    (ipaddress.ip_network("::ffff:0:0/96"), "an IPv4-mapped address"),
    (ipaddress.ip_network("::ffff:0:0:0/96"), "an IPv4-translated address"),
    (ipaddress.ip_network("::/96"), "an IPv4-compatible address"),
    (ipaddress.ip_network("64:ff9b::/96"), "a NAT64 address"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "a NAT64 address"),
    (ipaddress.ip_network("100::/64"), "a discard-only address"),
    (ipaddress.ip_network("2001::/32"), "a Teredo address"),
    (ipaddress.ip_network("2001:db8::/32"), "a documentation address"),
    (ipaddress.ip_network("3fff::/20"), "a documentation address"),
    (ipaddress.ip_network("2002::/16"), "a 6to4 address"),
    (ipaddress.ip_network("fe80::/10"), "a link-local address"),
    (ipaddress.ip_network("fec0::/10"), "a site-local address"),
    (ipaddress.ip_network("fc00::/7"), "a unique local (private) address"),
    (ipaddress.ip_network("ff00::/8"), "a multicast address"),
]
# Global unicast space: anything outside it is reserved or special.
_V6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def address_problem(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `address` may not be fetched from ("a loopback address"), or None when it is a
    globally routable unicast address. Unparseable input is refused too."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        for network, words in _V6_NAMED:
            if ip in network:
                return words
        if ip not in _V6_GLOBAL_UNICAST:
            return "a reserved address"
        if not ip.is_global:
            return "a special-purpose address"
        return None
    for network, words in _V4_NAMED:
        if ip in network:
            return words
    if not ip.is_global:
        return "a special-purpose address"
    return None


def allowlisted(host: str, port: int) -> bool:
    """Exact "host:port" match against REEX_FETCH_ALLOWLIST ("127.0.0.1:8001", "[::1]:8001").
    The one allow-list check: fetching and claims' attach-time refusal both use it."""
    allow = {entry.strip().lower() for entry in settings.REEX_FETCH_ALLOWLIST}
    if not allow:
        return False
    host = host.lower().strip("[]")
    return f"{host}:{port}" in allow or f"[{host}]:{port}" in allow


# --- One fetch's context: deadline, sockets to shut, what was connected to --------------------


class _FetchContext:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.expired = False

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def register(self, sock: socket.socket) -> None:
        with self.lock:
            if self.expired:
                sock.close()
                raise TimeoutError("deadline passed")
            self.sockets.append(sock)

    def expire(self) -> None:
        """Called by the watchdog timer: unblock any read in progress."""
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


_context: contextvars.ContextVar[_FetchContext | None] = contextvars.ContextVar(
    "reex_fetch_context", default=None
)
# getaddrinfo cannot be interrupted; run it beside the caller so the deadline still holds.
_resolver = ThreadPoolExecutor(max_workers=16, thread_name_prefix="reex-dns")


class AddressRefused(NewConnectionError):
    """Raised inside urllib3 when the host resolves to an address we may not reach."""

    def __init__(self, conn: HTTPConnection, reason: str) -> None:
        super().__init__(conn, reason)
        self.refusal = reason


class DNSFailed(NewConnectionError):
    def __init__(self, conn: HTTPConnection, reason: str, transient: bool) -> None:
        super().__init__(conn, reason)
        self.refusal = reason
        self.transient = transient


class ConnectFailed(NewConnectionError):
    def __init__(self, conn: HTTPConnection, reason: str) -> None:
        super().__init__(conn, reason)
        self.refusal = reason


def _resolve(host: str, port: int, timeout: float) -> list[tuple]:
    future = _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    return future.result(timeout=max(timeout, 0.01))


class _GuardedConnectionMixin:
    """Resolve the host, refuse if any address is not globally routable, connect to a vetted
    address. Used for every connection, so every redirect hop is checked again."""

    host: str
    port: int
    timeout: float | None
    socket_options: list | None
    source_address: tuple[str, int] | None
    vetted_ip: str = ""

    def _new_conn(self) -> socket.socket:
        ctx = _context.get()
        host = self.host.strip("[]")
        timeout = (
            self.timeout
            if isinstance(self.timeout, int | float)
            else float(settings.REEX_FETCH_TIMEOUT)
        )
        if ctx is not None:
            timeout = min(timeout, max(ctx.remaining(), 0.01))
        try:
            infos = _resolve(host, self.port, timeout)
        except FutureTimeout:
            raise DNSFailed(self, f"DNS lookup for {host} timed out", True) from None  # type: ignore[arg-type]
        except socket.gaierror as exc:
            transient = exc.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_SYSTEM", None))
            message = exc.strerror or str(exc)
            raise DNSFailed(self, f"DNS lookup failed for {host}: {message}", transient) from None  # type: ignore[arg-type]
        except UnicodeError:
            raise DNSFailed(
                self, f"DNS lookup failed for {host}: not a valid host name", False
            ) from None  # type: ignore[arg-type]
        if not infos:
            raise DNSFailed(self, f"DNS lookup failed for {host}: no addresses", False)  # type: ignore[arg-type]

        allowed = allowlisted(host, self.port)
        for *_, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
            problem = address_problem(ip)
            if problem is None:
                continue
            if allowed and ip.is_loopback:
                continue  # a named test origin: the only way past the check
            if str(ip) == host:
                reason = f"refused: {ip} is {problem}"
            else:
                reason = f"refused: {host} resolves to {ip}, {problem}"
            raise AddressRefused(self, reason)  # type: ignore[arg-type]

        last_error: OSError | None = None
        for family, socktype, proto, _canon, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                _set_socket_options(sock, self.socket_options)
                sock.settimeout(timeout)
                if self.source_address:
                    sock.bind(self.source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                last_error = exc
                continue
            if ctx is not None:
                ctx.register(sock)
            self.vetted_ip = sockaddr[0]
            return sock
        assert last_error is not None
        if isinstance(last_error, TimeoutError | socket.timeout):
            raise last_error
        if isinstance(last_error, ConnectionRefusedError):
            words = "connection refused"
        else:
            words = last_error.strerror or str(last_error)
        raise ConnectFailed(self, f"could not connect to {host}:{self.port}: {words}")  # type: ignore[arg-type]


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


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
