"""WACZ 1.1 packages (Web Archive Collection Zipped) of reex's WARCs, by py-wacz.

A WACZ is a zip of the WARCs (`archive/`), a CDXJ index (`indexes/`), the list of pages
(`pages/pages.jsonl`) and `datapackage.json` with every file's SHA-256 and size (plus
`datapackage-digest.json`, the digest of that). ReplayWeb.page and pywb open it as it is, and
anyone can check that no byte was changed since it was made.

py-wacz (the `wacz` package, Webrecorder's own, which also validates) works on files and
prints as it goes: `package` writes the WARCs to a temporary folder, runs its `create` with
the page list given (no page detection: the pages are the snapshots) and returns the zip's
bytes; `validate` runs its validator (required files, frictionless data package, paths, each
file's hash, the datapackage digest). For a download `create` runs in a process of its own, so
two packages are made at once, each with its own output, and no process-wide stdout swap holds
one request up behind another's.

`stored_package` is what the downloads serve (a plain capture's WACZ, a claim's or an
article's evidence bundle): built once into storage under a name made of what it holds
(the WARCs by name, the pages, the title), then read from there, streamed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# py-wacz run in this process (a browser capture's package, `validate`) prints, caught by
# swapping sys.stdout, which is one for the whole process: one run at a time.
_PRINTING = threading.Lock()
# `python -m wacz` drops main()'s exit status: this keeps it.
_CREATE = "import sys; from wacz.main import main; sys.exit(main(sys.argv[1:]))"
#: How long py-wacz may take to package (a claim's evidence is a few WARCs).
CREATE_SECONDS = 300
#: A bundle file that is not a whole zip after this long was left by a build that died.
ABANDONED_SECONDS = 600


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
    with tempfile.TemporaryDirectory(prefix="reex-wacz-") as folder:
        root = Path(folder)
        inputs = []
        for name, data in warcs:
            path = root / Path(name).name
            path.write_bytes(data)
            inputs.append(path)
        out = _create(root, inputs, pages, title=title, description=description, here=True)
        return out.read_bytes()


def _create(
    root: Path,
    inputs: list[Path],
    pages: list[Page],
    *,
    title: str,
    description: str,
    here: bool = False,
) -> Path:
    """py-wacz's `create`: the WACZ of the WARC files `inputs` (in the folder `root`), listing
    `pages`, written to root/out.wacz. In a process of its own; `here=True` (a browser capture,
    where the half second of starting one counts against the capture's time) in this one,
    one at a time."""
    pages_path = root / "pages.jsonl"
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Pages"})]
    for page in pages:
        entry = {"url": page.url, "title": page.title or page.url}
        if page.ts:
            entry["ts"] = page.ts
        lines.append(json.dumps(entry))
    pages_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "out.wacz"
    args = ["create", "-o", str(out), *map(str, inputs), "-p", str(pages_path)]
    args += ["--hash-type", "sha256", "--title", title[:500] or "reex capture"]
    if description:
        args += ["--desc", description[:2000]]
    if here:
        status, printed = _run_here(args)
        if status != 0 or not out.exists():
            raise WACZError(f"py-wacz could not package the WARCs: {printed[-500:]}")
        return out
    try:
        done = subprocess.run(  # noqa: S603 - our interpreter, our arguments, no shell
            [sys.executable, "-c", _CREATE, *args],
            capture_output=True,
            text=True,
            timeout=CREATE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise WACZError(f"py-wacz took over {CREATE_SECONDS} s to package the WARCs") from None
    if done.returncode != 0 or not out.exists():
        printed = (done.stdout + done.stderr)[-500:]
        raise WACZError(f"py-wacz could not package the WARCs: {printed}")
    return out


def validate(data: bytes) -> tuple[bool, str]:
    """py-wacz's validator on a WACZ's bytes: (valid, what it printed)."""
    with tempfile.TemporaryDirectory(prefix="reex-wacz-") as folder:
        path = Path(folder) / "check.wacz"
        path.write_bytes(data)
        status, printed = _run_here(["validate", "-f", str(path)])
        return status == 0, printed


def _run_here(args: list[str]) -> tuple[int, str]:
    """py-wacz in this process, one run at a time: (its status, what it printed)."""
    from wacz.main import main as wacz_main

    printed = io.StringIO()
    with _PRINTING, contextlib.redirect_stdout(printed):
        status = wacz_main(args)
    return status, printed.getvalue()


def stored_package(snapshots, *, title: str, description: str = "") -> str:
    """The storage name of one WACZ of the WARCs of `snapshots` (archived ones with a WARC),
    each its own page: built the first time it is asked for, then read from storage. The name
    is the SHA-256 of what the package holds (each WARC's storage name, which a new attempt
    never reuses, the pages and the title), so a changed set of evidence is another package.

    The WARCs are copied to the build folder and the package to storage in chunks (no whole
    file in memory). Two requests building one package at once each build their own; the
    first stored stands and the other's copy is deleted once the first is whole. A copy that a
    build which died left half-written is replaced. Raises WACZError (no archived copy yet, or
    py-wacz refused)."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    held = [s for s in snapshots if s.warc]
    if not held:
        raise WACZError("none of these snapshots has an archived copy yet")
    pages = [Page(url=s.final_url or s.url, title=s.title) for s in held]
    holds = [(s.pk, s.warc.name, p.url, p.title) for s, p in zip(held, pages, strict=True)]
    key = hashlib.sha256(json.dumps([title, description, holds]).encode()).hexdigest()
    name = f"wacz/packages/{key[:2]}/{key}.wacz"
    if _whole(name):
        return name
    _drop_if_abandoned(name)
    with tempfile.TemporaryDirectory(prefix="reex-wacz-") as folder:
        root = Path(folder)
        inputs = []
        for snapshot in held:
            path = root / f"snapshot-{snapshot.pk}.warc.gz"
            with default_storage.open(snapshot.warc.name, "rb") as src, path.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            inputs.append(path)
        out = _create(root, inputs, pages, title=title, description=description)
        with out.open("rb") as fh:
            saved = default_storage.save(name, File(fh))  # another name if one appeared
    if saved != name and _whole(name):
        default_storage.delete(saved)  # built twice at once: the first stored stands
        return name
    return saved


def _whole(name: str) -> bool:
    """Is the stored file there and a whole zip (its end record, written last, is there)?"""
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(name, "rb") as fh:
            return zipfile.is_zipfile(fh)
    except OSError:  # not there (any storage's FileNotFoundError)
        return False


def _drop_if_abandoned(name: str) -> None:
    from django.core.files.storage import default_storage

    with contextlib.suppress(Exception):  # no such file, or a storage without modified times
        age = time.time() - default_storage.get_modified_time(name).timestamp()
        if age > ABANDONED_SECONDS:
            log.warning("deleting %s: a WACZ build left it unfinished", name)
            default_storage.delete(name)
