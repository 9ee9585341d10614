"""The WARC of a plain fetch (warcinfo, request, response with the decoded body, and a metadata
record of the redirect chain), and the headers no WARC or browser answer repeats: they describe
the wire, not the decoded body we keep. A browser capture's WARC is sources.capture_warc.
"""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sources.fetch import FetchResult

# Hop-by-hop and encoding headers describe the wire, not the decoded body we keep.
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}


def build_warc(result: FetchResult, *, requested_url: str, sha256: str) -> bytes:
    """A gzipped WARC: warcinfo, request, response (decoded body) and the redirect chain."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(
        writer.create_warcinfo_record(
            "reex.warc.gz",
            {
                "software": "reex archiver (warcio)",
                "format": "WARC File Format 1.1",
                "description": (
                    "The response payload is the decoded body (Content-Encoding removed); "
                    "its SHA-256 is in WARC-Payload-Digest and on the snapshot."
                ),
            },
        )
    )
    parts = urlsplit(result.final_url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = [("Host", parts.netloc), *result.request_headers.items()]
    request = writer.create_warc_record(
        result.final_url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            f"{result.request_method} {path} {result.http_version}",
            request_headers,
            is_http_request=True,
        ),
    )
    response_headers = [(k, v) for k, v in result.headers.items() if k.lower() not in _DROP_HEADERS]
    response_headers.append(("Content-Length", str(len(result.body))))
    response = writer.create_warc_record(
        result.final_url,
        "response",
        payload=io.BytesIO(result.body),
        length=len(result.body),
        http_headers=StatusAndHeaders(
            f"{result.status} {result.reason_phrase}".strip(),
            response_headers,
            protocol=result.http_version,
        ),
        warc_headers_dict={
            "WARC-IP-Address": result.ip_address,
            "WARC-Payload-Digest": f"sha256:{sha256}",
        },
    )
    request.rec_headers.add_header("WARC-IP-Address", result.ip_address)
    request.rec_headers.add_header(
        "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
    )
    writer.write_record(request)
    writer.write_record(response)
    if result.redirects or requested_url != result.final_url:
        chain = {
            "requested": requested_url,
            "redirects": result.redirects,
            "final": result.final_url,
        }
        write_metadata(writer, result.final_url, chain)
    return buffer.getvalue()


def write_metadata(writer: WARCWriter, uri: str, fields: dict) -> None:
    """A metadata record of JSON about `uri` (the redirect chain, a capture's log)."""
    payload = json.dumps(fields).encode()
    writer.write_record(
        writer.create_warc_record(
            uri,
            "metadata",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type="application/json",
        )
    )
