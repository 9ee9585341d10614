"""Wording: content-word stems (`stems`), how alike two statements are in wording
(`wording_similarity`, rapidfuzz) and a statement's fingerprint (`fingerprint`: the same
statement, however spaced or punctuated)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rapidfuzz import fuzz

_STOP_WORDS = (
    "a an the of in on at to for by with from and or but as is are was were be been being has "
    "have had its it this that these those their his her they them which who whom whose than "
    "also into over under more most very just not no so such like about after before while "
    "year"
)
_STOP = set(_STOP_WORDS.split())


def stems(text: str) -> set[str]:
    """Content words cut to five letters: "integrate" and "integration" meet."""
    words = re.findall(r"[a-z][a-z']+", unicodedata.normalize("NFKC", text).lower())
    return {w[:5] for w in words if w not in _STOP and len(w) > 2}


def wording_similarity(a: str, b: str) -> float:
    """How close two statements are in wording (0..1): rapidfuzz's token-set ratio over their
    content-word stems, so word order, stop words and inflection ("integrate" /
    "integration") do not count; a text with fewer than three content words is compared by the
    stricter token-sort ratio (a subset of two words is not a restatement)."""
    sa, sb = stems(a), stems(b)
    if not sa or not sb:
        return 0.0
    left, right = " ".join(sorted(sa)), " ".join(sorted(sb))
    if min(len(sa), len(sb)) < 3:
        return fuzz.token_sort_ratio(left, right) / 100
    return fuzz.token_set_ratio(left, right) / 100


token_set_similarity = wording_similarity  # the name callers used before rapidfuzz


def fingerprint(text: str) -> str:
    """The normalised text's SHA-256: the same statement, however spaced or punctuated."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()
