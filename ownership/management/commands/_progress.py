"""The progress bars every import command shows (tqdm on stderr, only for large inputs)."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import CommandError
from tqdm import tqdm

#: Files with fewer records than this finish before a bar would be worth reading.
BAR_FROM = 500
#: Files smaller than this (bytes) likewise.
BAR_FROM_BYTES = 256 * 1024


def progress(iterable, total: int, desc: str):
    return tqdm(iterable, total=total, desc=desc, unit=" rows", disable=total < BAR_FROM)


class _Counting(io.RawIOBase):
    """A binary file that moves a tqdm bar by the bytes read, so that a stream read row by
    row (csv, ijson) shows how far through the file it is without knowing the row count."""

    def __init__(self, raw: BinaryIO, bar: tqdm) -> None:
        self.raw, self.bar = raw, bar

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.bar.update(n)
        return n

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self.raw.seek(offset, whence)
        self.bar.n = position
        self.bar.refresh()
        return position

    def tell(self) -> int:
        return self.raw.tell()


def _open(path: Path) -> tuple[BinaryIO, int]:
    """The file, or the one file inside a .zip (GLEIF publishes its golden copies zipped),
    and its size in bytes (uncompressed)."""
    if path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise CommandError(f"Cannot read {path} as a zip file: {exc}") from exc
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise CommandError(
                f"{path} holds {len(members)} files; give a zip of one file (or unzip it)"
            )
        return archive.open(members[0]), members[0].file_size
    try:
        raw = path.open("rb", buffering=0)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    return raw, os.fstat(raw.fileno()).st_size


@contextmanager
def open_with_progress(path: Path, desc: str) -> Iterator[BinaryIO]:
    """`path` (or the one file of a .zip) opened for reading as a buffered binary stream whose
    bar (stderr) follows the bytes read. A file that cannot be opened is a CommandError
    naming it."""
    raw, size = _open(path)
    with (
        raw,
        tqdm(
            total=size,
            desc=desc,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            disable=size < BAR_FROM_BYTES,
        ) as bar,
    ):
        yield io.BufferedReader(_Counting(raw, bar), buffer_size=1 << 16)
