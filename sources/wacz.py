"""WACZ 1.1 packages (Web Archive Collection Zipped) of reex's WARCs, by py-wacz.

A WACZ is a zip of the WARCs (`archive/`), a CDXJ index (`indexes/`), the list of pages
(`pages/pages.jsonl`) and `datapackage.json` with every file's SHA-256 and size (plus
`datapackage-digest.json`, the digest of that). ReplayWeb.page and pywb open it as it is, and
anyone can check that no byte was changed since it was made.

py-wacz (the `wacz` package, Webrecorder's own, which also validates) works on files and
prints as it goes: `package` writes the WARCs to a temporary folder, runs its `create` with
the page list given (no page detection: the pages are the snapshots) and returns the zip's
bytes; `validate` runs its validator (required files, frictionless data package, paths, each
file's hash, the datapackage digest).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

# py-wacz prints as it goes; its output is caught by swapping sys.stdout, which is one for the
# whole process: one package at a time, so two threads never restore each other's swap.
_PRINTING = threading.Lock()


@dataclass
class Page:
    url: str
    title: str = ""
    ts: str = ""  # ISO 8601; empty: matched by URL alone


class WACZError(Exception):
    pass


def package(
    warcs: list[tuple[str, bytes]], pages: list[Page], *, title: str, description: str = ""
) -> bytes:
    """A WACZ of `warcs` ((file name, gzipped WARC bytes); names must be unique) listing
    `pages`. Raises WACZError when py-wacz refuses."""
    from wacz.main import main as wacz_main

    with tempfile.TemporaryDirectory(prefix="reex-wacz-") as folder:
        root = Path(folder)
        inputs = []
        for name, data in warcs:
            path = root / Path(name).name
            path.write_bytes(data)
            inputs.append(str(path))
        pages_path = root / "pages.jsonl"
        lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Pages"})]
        for page in pages:
            entry = {"url": page.url, "title": page.title or page.url}
            if page.ts:
                entry["ts"] = page.ts
            lines.append(json.dumps(entry))
        pages_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = root / "out.wacz"
        args = ["create", "-o", str(out), *inputs, "-p", str(pages_path), "--hash-type", "sha256"]
        args += ["--title", title[:500] or "reex capture"]
        if description:
            args += ["--desc", description[:2000]]
        printed = io.StringIO()
        with _PRINTING, contextlib.redirect_stdout(printed):
            status = wacz_main(args)
        if status != 0 or not out.exists():
            raise WACZError(f"py-wacz could not package the WARCs: {printed.getvalue()[-500:]}")
        return out.read_bytes()


def validate(data: bytes) -> tuple[bool, str]:
    """py-wacz's validator on a WACZ's bytes: (valid, what it printed)."""
    from wacz.main import main as wacz_main

    with tempfile.TemporaryDirectory(prefix="reex-wacz-") as folder:
        path = Path(folder) / "check.wacz"
        path.write_bytes(data)
        printed = io.StringIO()
        with _PRINTING, contextlib.redirect_stdout(printed):
            status = wacz_main(["validate", "-f", str(path)])
        return status == 0, printed.getvalue()


def package_snapshots(snapshots, *, title: str, description: str = "") -> bytes:
    """One WACZ of the WARCs of `snapshots` (archived ones with a WARC), each its own page.
    For one snapshot, an editor's bundle of a claim's or an article's evidence alike."""
    from django.core.files.storage import default_storage

    warcs: list[tuple[str, bytes]] = []
    pages: list[Page] = []
    for snapshot in snapshots:
        if not snapshot.warc:
            continue
        with default_storage.open(snapshot.warc.name, "rb") as fh:
            warcs.append((f"snapshot-{snapshot.pk}.warc.gz", fh.read()))
        pages.append(Page(url=snapshot.final_url or snapshot.url, title=snapshot.title))
    if not warcs:
        raise WACZError("none of these snapshots has an archived copy yet")
    return package(warcs, pages, title=title, description=description)
