"""The progress bar every import command shows (tqdm on stderr, only for large files)."""

from __future__ import annotations

from tqdm import tqdm

#: Files with fewer records than this finish before a bar would be worth reading.
BAR_FROM = 500


def progress(iterable, total: int, desc: str):
    return tqdm(iterable, total=total, desc=desc, unit=" rows", disable=total < BAR_FROM)
