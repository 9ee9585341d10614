"""Connections that connect to the very address that was checked:
`_GuardedConnectionMixin._new_conn` resolves the host (beside the caller, so the deadline
holds), refuses it when any address is not globally routable (sources.addresses), and connects
to a vetted address in one step, so DNS rebinding has no window. One fetch's context (its
deadline and the sockets the watchdog shuts) rides in a context variable. sources.fetch mounts
these connection pools on its session.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util.connection import _set_socket_options

from sources.addresses import address_problem, allowlisted

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
