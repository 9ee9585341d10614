"""The WARC of a browser capture (sources.capture): a request and a response record for every
answer the browser got, the rendered DOM and the screenshot as resource records, and a metadata
record with the capture log.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.utils import timezone
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sources.capture import Capture, Exchange
from sources.warc import _DROP_HEADERS, write_metadata


def _write_exchange(writer: WARCWriter, exchange: Exchange) -> None:
    result = exchange.result
    assert result is not None
    parts = urlsplit(exchange.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            f"{exchange.method} {path} {result.http_version}",
            [("Host", parts.netloc), *result.request_headers.items()],
            is_http_request=True,
        ),
        warc_headers_dict={"WARC-Date": _warc_date(exchange.at)},
    )
    if exchange.redirect_to:
        status, headers, body = "302 Found", [("Location", exchange.redirect_to)], b""
    else:
        status = f"{result.status} {result.reason_phrase}".strip()
        headers = [(k, v) for k, v in result.headers.items() if k.lower() not in _DROP_HEADERS]
        body = result.body
    headers.append(("Content-Length", str(len(body))))
    response = writer.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(status, headers, protocol=result.http_version),
        warc_headers_dict={
            "WARC-IP-Address": result.ip_address,
            "WARC-Date": _warc_date(exchange.at),
        },
    )
    request.rec_headers.add_header(
        "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
    )
    writer.write_record(request)
    writer.write_record(response)


def _warc_date(iso: str) -> str:
    when = datetime.fromisoformat(iso) if iso else timezone.now()
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _resource(writer: WARCWriter, uri: str, content_type: str, data: bytes, at: str) -> None:
    writer.write_record(
        writer.create_warc_record(
            uri,
            "resource",
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": _warc_date(at)},
        )
    )


def build_capture_warc(capture: Capture, dom: bytes) -> bytes:
    """A gzipped WARC of a browser capture: warcinfo; a request and a response record for every
    answer the browser got (decoded bodies; a redirect the fetcher followed as a 302 to its end);
    the rendered DOM (`urn:view:URL`) and the screenshot (`urn:screenshot:URL`) as resource
    records; a metadata record with the capture log (refused requests, notes)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(
        writer.create_warcinfo_record(
            "reex-capture.warc.gz",
            {
                "software": "reex archiver: headless Chromium (Playwright), every request "
                "answered by the safe fetcher; warcio",
                "format": "WARC File Format 1.1",
                "description": "Response payloads are decoded bodies (Content-Encoding removed).",
            },
        )
    )
    seen: set[tuple[str, str]] = set()
    for exchange in capture.exchanges:
        if exchange.result is None:
            continue
        key = (exchange.method, exchange.url)
        if key in seen:
            continue  # the same answer twice (a cached image re-requested): one record
        seen.add(key)
        _write_exchange(writer, exchange)
    _resource(
        writer, f"urn:view:{capture.final_url}", "text/html; charset=utf-8", dom, capture.started
    )
    if capture.screenshot:
        _resource(
            writer,
            f"urn:screenshot:{capture.final_url}",
            "image/png",
            capture.screenshot,
            capture.started,
        )
    fields = {"url": capture.url, "final": capture.final_url, **capture.log()}
    write_metadata(writer, capture.final_url, fields)
    return buffer.getvalue()
