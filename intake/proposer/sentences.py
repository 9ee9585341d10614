"""Sentences: syntok's segmenter over one paragraph (`sentences`), with the domain's
abbreviation rules on top ("Co.", "Ltd.", "No.", an initial) and a legal form's full stop before
a sentence opener ("... Nuuluk Minerals A/S. The Greenland government ...")."""

from __future__ import annotations

import re

import syntok.segmenter as _syntok

_ABBREV_WORDS = (
    "co ltd inc corp plc llc mr mrs ms dr prof st no vs e.g i.e etc jan feb mar apr jun jul aug "
    "sep sept oct nov dec approx est dept gov govt u.s u.k u.n e.u"
)
_ABBREV = set(_ABBREV_WORDS.split())
_COMPANY_SUFFIX = {"co", "ltd", "inc", "corp", "plc", "llc", "etc"}
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)\]]*(?=\s|$)")


def _hand_boundary_vetoed(text: str, begin: int, stop: int, end: int) -> bool:
    """The domain's abbreviation rules over a boundary after `text[begin:stop]`: no split
    after "approx." / "No." / "Jan." / a single initial, nor after "Co." / "Ltd." / "Inc." /
    "Corp." unless a capitalised word follows, nor before a lower-case word, a comma or a
    digit glued to the full stop."""
    m = _SENTENCE_END.search(text, max(begin, stop - 4), stop)
    if m is None or m.end() != stop:
        return False
    word = re.search(r"([\w.&]+)$", text[begin : m.start()])
    token = (word.group(1) if word else "").lower().rstrip(".")
    after = text[stop:end].lstrip()
    next_char = after[:1]
    # "... from 18 m. Magnet rare earths ...": a unit after a number ends the sentence; a
    # lone letter elsewhere is an initial
    unit = len(token) == 1 and bool(re.search(r"\d\s?[A-Za-z]$", text[begin : m.start()]))
    abbreviation = token in _ABBREV or (len(token) == 1 and token.isalpha() and not unit)
    if (
        abbreviation
        and text[m.start()] == "."
        and (token not in _COMPANY_SUFFIX or not next_char.isupper())
    ):
        return True
    return bool(next_char and (next_char.islower() or next_char in ",;:"))


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in `text[start:end]` (one paragraph), by syntok's segmenter (measured
    against pysbd, spaCy's sentencizer and the hand-written splitter this replaced: see
    docs/), with the domain's abbreviation rules (`_hand_boundary_vetoed`) on top."""
    piece = text[start:end]
    starts = [start + sent[0].offset for para in _syntok.analyze(piece) for sent in para if sent]
    out: list[tuple[int, int]] = []
    begin = start + len(piece) - len(piece.lstrip())
    for nxt in starts[1:]:
        stop = len(text[:nxt].rstrip())
        if stop <= begin:
            continue
        if _hand_boundary_vetoed(text, begin, stop, end):
            continue
        out.append((begin, stop))
        begin = nxt
    last = start + len(piece.rstrip())
    if begin < last:
        out.append((begin, last))
    return [piece for a, b in out for piece in _split_after_legal_form(text, a, b)]


# A sentence ending in a legal form's full stop, which the segmenter reads as an abbreviation:
# "... the project company, Nuuluk Minerals A/S. The Greenland government has ...".
_LEGAL_FORM_END = re.compile(
    r"\b(?:A/S|ApS|AS|ASA|AB|Ltd|Inc|Corp|Co|plc|PLC|LLC|LLP|Tbk|Bhd|GmbH|AG|SA|NV|BV|JSC|Pty|"
    r"Ltda|SpA|KK)\.(?=\s+(?:The|It|Its|He|She|They|Their|This|That|These|Those|We|Our|In|On|"
    r"At|A|An|But|Separately|Meanwhile|However|Last|Earlier|Shares)\s)"
)


# A unit's abbreviation after a number ending a sentence, which the segmenter reads as an
# abbreviation too: "... from 18 m. Magnet rare earths account for ...".
_UNIT_END = re.compile(r"(?<=\d)\s?(?:m|km|t|kt|Mt|g|kg|ha|ft|mm|cm)\.(?=\s+[A-Z][a-z])")


def _split_after_legal_form(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    ends = [*_LEGAL_FORM_END.finditer(text, start, end), *_UNIT_END.finditer(text, start, end)]
    for m in sorted(ends, key=lambda m: m.start()):
        out.append((start, m.end()))
        start = m.end() + len(text[m.end() : end]) - len(text[m.end() : end].lstrip())
    out.append((start, end))
    return out
