"""Safe fetching against a real local origin (pytest-httpserver on 127.0.0.1)."""

from __future__ import annotations

import gzip
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from sources.fetch import FetchError, fetch

HTML = b"<html><head><title>Output up</title></head><body><p>Output rose 60.4%.</p></body></html>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_html_page_is_fetched_with_an_honest_user_agent(origin: HTTPServer):
    origin.expect_request("/story").respond_with_data(HTML, content_type="text/html; charset=utf-8")

    result = fetch(origin.url_for("/story"))

    assert result.status == 200
    assert result.body == HTML
    assert result.content_type == "text/html; charset=utf-8"
    assert result.mime_type == "text/html"
    assert result.charset == "utf-8"
    assert result.ip_address == "127.0.0.1"
    assert result.redirects == []
    assert result.final_url == origin.url_for("/story")
    request, _ = origin.log[-1]
    assert request.headers["User-Agent"].startswith("reex-archiver/")


def test_gzip_body_is_decoded(origin: HTTPServer):
    origin.expect_request("/gz").respond_with_data(
        gzip.compress(HTML), headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )

    assert fetch(origin.url_for("/gz")).body == HTML


def test_redirect_chain_is_followed_and_recorded(origin: HTTPServer):
    for hop in range(3):
        origin.expect_request(f"/r{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/r{hop + 1}"}
        )
    origin.expect_request("/r3").respond_with_data(HTML, content_type="text/html")

    result = fetch(origin.url_for("/r0"))

    assert result.final_url == origin.url_for("/r3")
    assert result.redirects == [origin.url_for(f"/r{i}") for i in range(3)]
    assert result.body == HTML


def test_more_than_five_redirects_are_refused(origin: HTTPServer):
    for hop in range(7):
        origin.expect_request(f"/r{hop}").respond_with_data(
            "", status=301, headers={"Location": f"/r{hop + 1}"}
        )

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/r0"))

    assert caught.value.reason == "too many redirects (more than 5)"
    assert caught.value.transient is False
    assert len(origin.log) == 6


def test_redirect_to_loopback_is_refused_while_the_allow_setting_is_off(
    origin: HTTPServer, settings
):
    # A second origin on another loopback port: the redirect target must never be reached.
    other = HTTPServer(host="127.0.0.1", port=0)
    other.expect_request("/secret").respond_with_data("secret")
    other.start()
    try:
        origin.expect_request("/jump").respond_with_data(
            "", status=302, headers={"Location": other.url_for("/secret")}
        )
        with pytest.raises(FetchError) as caught:
            fetch(origin.url_for("/jump"))
        assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"
        assert caught.value.kind == "address"
        assert caught.value.transient is False
        assert other.log == []

        settings.REEX_FETCH_ALLOWLIST = []
        with pytest.raises(FetchError, match=r"^refused: 127\.0\.0\.1 is a loopback address$"):
            fetch(origin.url_for("/jump"))
    finally:
        other.stop()


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/x",
        "http://127.0.0.2:{port}/x",
        "http://[::1]:{port}/x",
        "http://[::ffff:127.0.0.1]:{port}/x",
        "http://0.0.0.0:{port}/x",
        "http://2130706433:{port}/x",
        "http://0x7f000001:{port}/x",
        "http://127.1:{port}/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::1]/",
    ],
)
def test_redirect_to_any_other_loopback_or_private_form_is_refused(origin: HTTPServer, location):
    target = location.format(port=origin.port)
    origin.expect_request("/jump").respond_with_data("", status=307, headers={"Location": target})

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/jump"), timeout=5)

    assert caught.value.kind == "address", caught.value.reason
    assert caught.value.reason.startswith("refused: ")
    assert len(origin.log) == 1


def test_redirect_to_another_scheme_is_refused(origin: HTTPServer):
    origin.expect_request("/ftp").respond_with_data(
        "", status=302, headers={"Location": "ftp://example.org/file"}
    )

    with pytest.raises(FetchError, match="only http and https"):
        fetch(origin.url_for("/ftp"))


@pytest.mark.parametrize("url", ["ftp://example.org/", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.kind == "scheme"


def test_post_does_not_follow_redirects(origin: HTTPServer):
    origin.expect_request("/hook", method="POST").respond_with_data(
        "", status=302, headers={"Location": "/elsewhere"}
    )
    origin.expect_request("/elsewhere").respond_with_data("should not be reached")

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/hook"), method="POST", data=b"{}")

    assert caught.value.kind == "redirect"
    assert [req.path for req, _ in origin.log] == ["/hook"]


def test_post_sends_body_and_headers(origin: HTTPServer):
    origin.expect_request(
        "/hook", method="POST", data=b'{"a": 1}', headers={"X-Signature": "abc"}
    ).respond_with_data("ok")

    result = fetch(
        origin.url_for("/hook"), method="POST", data=b'{"a": 1}', headers={"X-Signature": "abc"}
    )

    assert result.body == b"ok"


def _drip(seconds: float):
    def handler(_request):
        def body():
            while True:
                yield b"x"
                time.sleep(seconds)

        return Response(body(), content_type="text/html")

    return handler


def test_slow_body_stops_at_the_total_time_cap(origin: HTTPServer):
    # One byte every 0.2 s never trips a per-read timeout; the total cap must still hold.
    origin.expect_request("/slow").respond_with_handler(_drip(0.2))

    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/slow"), timeout=1.5)

    assert caught.value.reason == "timed out after 1.5 s"
    assert caught.value.transient is True
    assert time.monotonic() - started < 3


def test_slow_headers_time_out(origin: HTTPServer):
    def handler(_request):
        time.sleep(3)
        return Response(HTML, content_type="text/html")

    origin.expect_request("/late").respond_with_handler(handler)

    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^timed out after 1 s$"):
        fetch(origin.url_for("/late"), timeout=1)
    assert time.monotonic() - started < 2.5


def test_endless_body_stops_at_the_byte_cap(origin: HTTPServer, settings):
    settings.REEX_FETCH_MAX_BYTES = 1024 * 1024

    def handler(_request):
        def body():
            chunk = b"y" * 65536
            while True:
                yield chunk

        return Response(body(), content_type="text/html")

    origin.expect_request("/endless").respond_with_handler(handler)

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/endless"))

    assert caught.value.reason == "larger than 1 MB"
    assert caught.value.kind == "too_large"
    assert caught.value.transient is False


def test_declared_oversized_body_is_refused_before_reading(origin: HTTPServer, settings):
    settings.REEX_FETCH_MAX_BYTES = 1000
    origin.expect_request("/big").respond_with_data(b"z" * 5000, content_type="text/html")

    with pytest.raises(FetchError, match=r"^larger than "):
        fetch(origin.url_for("/big"))


def test_gzip_bomb_stops_at_the_decoded_byte_cap(origin: HTTPServer, settings):
    settings.REEX_FETCH_MAX_BYTES = 2 * 1024 * 1024
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024  # small on the wire: the cap must apply to decoded bytes
    origin.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/bomb"))

    assert caught.value.reason == "larger than 2 MB"


@pytest.mark.parametrize(
    ("status", "reason", "transient"),
    [
        (404, "HTTP 404 Not Found", False),
        (410, "HTTP 410 Gone", False),
        (403, "HTTP 403 Forbidden", False),
        (429, "HTTP 429 Too Many Requests", True),
        (500, "HTTP 500 Internal Server Error", True),
        (503, "HTTP 503 Service Unavailable", True),
    ],
)
def test_error_statuses_give_a_readable_reason(origin: HTTPServer, status, reason, transient):
    origin.expect_request("/e").respond_with_data("no", status=status)

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/e"))

    assert caught.value.reason == reason
    assert caught.value.kind == "http"
    assert caught.value.status == status
    assert caught.value.transient is transient


def test_429_carries_the_retry_after_hint(origin: HTTPServer):
    origin.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/busy"))

    assert caught.value.retry_after == 7


def test_unsupported_content_type_is_refused_when_types_are_given(origin: HTTPServer):
    origin.expect_request("/zip").respond_with_data(b"PK\3\4", content_type="application/zip")

    with pytest.raises(FetchError) as caught:
        fetch(origin.url_for("/zip"), accept_types=["text/html", "application/pdf"])

    assert caught.value.reason == "unsupported content type application/zip"
    assert caught.value.kind == "content_type"


def test_dns_failure_is_readable():
    with pytest.raises(FetchError) as caught:
        fetch("http://no-such-host.invalid/page", timeout=5)

    assert caught.value.kind == "dns"
    assert caught.value.reason.startswith("DNS lookup failed for no-such-host.invalid")


def test_connection_refused_is_transient(settings):
    port = free_port()
    settings.REEX_FETCH_ALLOWLIST = [f"127.0.0.1:{port}"]

    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{port}/", timeout=5)

    assert caught.value.kind == "connect"
    assert caught.value.transient is True
    assert "connection refused" in caught.value.reason


def test_environment_proxies_are_ignored(origin: HTTPServer, monkeypatch):
    dead = free_port()
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{dead}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    origin.expect_request("/direct").respond_with_data(HTML, content_type="text/html")

    assert fetch(origin.url_for("/direct")).body == HTML


@pytest.fixture
def tls_origin(tmp_path: Path, settings):
    """An HTTPS origin with a self-signed certificate: verification must fail."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/").respond_with_data("hello")
    server.start()
    settings.REEX_FETCH_ALLOWLIST = [f"127.0.0.1:{server.port}"]
    yield server
    server.stop()


def test_tls_error_is_readable(tls_origin: HTTPServer):
    with pytest.raises(FetchError) as caught:
        fetch(f"https://127.0.0.1:{tls_origin.port}/", timeout=5)

    assert caught.value.kind == "tls"
    assert caught.value.reason.startswith("TLS error: ")
    assert "certificate" in caught.value.reason


def test_concurrent_fetches_keep_their_own_deadlines(origin: HTTPServer):
    origin.expect_request("/slow").respond_with_handler(_drip(0.2))
    origin.expect_request("/fast").respond_with_data(HTML, content_type="text/html")
    outcomes: dict[str, object] = {}

    def slow():
        try:
            fetch(origin.url_for("/slow"), timeout=1)
        except FetchError as exc:
            outcomes["slow"] = exc.kind

    thread = threading.Thread(target=slow)
    thread.start()
    outcomes["fast"] = fetch(origin.url_for("/fast"), timeout=5).body
    thread.join()

    assert outcomes == {"slow": "timeout", "fast": HTML}
