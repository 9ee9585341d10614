"""Paragraphs and lines: hard-wrapped paragraphs joined, offsets kept (`reflow`, `Reflowed`),
the non-blank lines of a text (`lines`), bullets, page furniture, a dateline ("PERTH, July 24
(Reuters) -") and headings (`_is_heading`)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from intake.proposer.rows import _is_table_row
from intake.proposer.sentences import sentences

# A numbered item has one or two digits: "2026. Revenue fell" at a line start is a wrapped
# sentence going on, not item 2026.
_BULLET = re.compile(r"^\s*(?:[•·▪◦‣*]|-|–|\d{1,2}[.)])\s+")
_FURNITURE = re.compile(
    r"^\s*(?:spread the word|share (?:this|on)|categories|tags|leave a (?:reply|comment)|"
    r"related(?: posts| articles)?|read more|subscribe|sign up|your email address|"
    r"follow us|advertisement|copyright|all rights reserved|click here|highlights)\b",
    re.I,
)


# Words that end a line only when the sentence goes on: a line ending in one is never a heading.
_CONTINUATION_END = re.compile(
    r"\b(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|but|nor|that|which|who|whose|as|"
    r"than|its|their|his|her|is|are|was|were|be|been|has|have|had|will|would|said|says|"
    r"between|about|over|under|into|per|while|after|before|since|up|down)$",
    re.I,
)
# "state-\nowned": a line-end hyphen after one of these is a compound's, kept when joining.
_COMPOUND_PREFIX_WORDS = (
    "state non self well co long short high low mid year half full first second third cross "
    "multi semi anti pre post re ex rare heavy light so much record large small"
)
_COMPOUND_PREFIX = set(_COMPOUND_PREFIX_WORDS.split())
# "London-\nlisted", "Perth-\nbased": a line-end hyphen before one of these is a compound's too
# ("-led" and "-run" only after a name, "Japan-\nled": "travel-\nled" is one word broken).
_COMPOUND_SUFFIX_WORDS = (
    "listed based owned controlled backed funded financed registered headquartered focused "
    "operated linked related designed oriented"
)
_COMPOUND_SUFFIX = set(_COMPOUND_SUFFIX_WORDS.split())
_BOUND_PREFIX = {"under", "over", "inter", "counter", "trans", "super"}
_TERMINAL = '.!?:;"”’)'
_HARD_WRAP_MAX = 130


@dataclass(frozen=True)
class Reflowed:
    """`text` with hard-wrapped paragraphs joined, the same length as the original: a line
    break inside a paragraph (and the next line's indent) becomes spaces; a word hyphenated at a
    line end ("produc-\ntion") is written whole and padded with spaces after it, so every
    character outside those words stays where it was. `zones` are the (start, end) of the
    rewritten words: an offset inside one is moved to its end by `original_end`."""

    text: str
    zones: tuple[tuple[int, int], ...] = ()
    # Where a line starts after a break the reflow kept inside a hard-wrapped run of lines (no
    # blank line before it): a guessed paragraph end, which a short last line of a paragraph
    # and a sentence that ends a line just short of the margin look alike.
    guessed: frozenset[int] = frozenset()

    def original_end(self, end: int) -> int:
        for start, stop in self.zones:
            if start <= end < stop:
                return stop
        return end


def _raw_lines(text: str) -> list[tuple[int, int]]:
    """(start, end without the line break) of every line, blank ones included."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((pos, pos + len(raw.rstrip("\r\n"))))
        pos += len(raw)
    return out


# A table's source note or footnote line: "Source: Bureau of National Statistics", "Notes: ...".
_SOURCE_NOTE = re.compile(r"^\s*(?:Sources?|Notes?)\s*:")


def _joins(prev: str, nxt: str, width: int) -> bool:
    """Does line `nxt` continue the paragraph of line `prev` (no blank line between)?"""
    a, b = prev.strip(), nxt.strip()
    if not a or not b or _BULLET.match(nxt):
        return False
    if _is_table_row(a) and not b[:1].islower():
        return False  # a table row ("South Korea 498 (510)") is a line of its own
    if _is_table_row(b) and a[-1:] in _TERMINAL and not _CONTINUATION_END.search(a):
        return False  # nor does a caption or a finished sentence run into one
    if re.match(r"^(?:Table|Figure|Chart|Exhibit)\s+\d+[.:]\s|^Sources?\s*:", b) and (
        a[-1:] in _TERMINAL
    ):
        return False  # "Table 1. China's exports ...", "Source: ..." start a block
    if (
        _SOURCE_NOTE.match(a)
        and a[-1:] not in ",;"
        and not _CONTINUATION_END.search(a)
        and b[:1].isupper()
        and b[-1:] not in _TERMINAL
    ):
        # A table's source note ends its block: "Source: Bureau of National Statistics\nThe
        # 145 tonnes of oxide came from a" (the note's own last line ends with its full stop:
        # "Source: General Administration of Customs; Halden\nMetals Research.").
        return False
    starts_lower = b[:1].islower() or b[:1].isdigit() or b[:1] in "(%$€£¥–-"
    broken_off = bool(_CONTINUATION_END.search(a))  # "... attributable to"
    unfinished = broken_off or a[-1:] not in _TERMINAL
    if width > _HARD_WRAP_MAX:
        # Not hard-wrapped: a line is a paragraph, unless it plainly breaks off mid-sentence.
        return unfinished and starts_lower
    long_line = len(prev.rstrip()) >= 0.6 * width
    if (
        a[-1:] in _TERMINAL
        and b[:1].isupper()
        and len(b) < 0.6 * width
        and b[-1:] not in _TERMINAL
        and not _CONTINUATION_END.search(b)
    ):
        # "... and no debt.\nRisks\nHeavy rare earth prices ...": a short line after a
        # finished sentence, itself unfinished, is a heading standing alone (a wrapped
        # paragraph's lines are full until its last one, which ends a sentence).
        return False
    if _BULLET.match(prev):
        return unfinished and (starts_lower or long_line or nxt[:1].isspace())
    return long_line or broken_off or (unfinished and starts_lower)


def reflow(text: str) -> Reflowed:
    """Paragraphs before sentences: join the lines of each hard-wrapped paragraph (see
    `Reflowed`). A blank line ends a paragraph, a bullet starts an item, and a short line that
    ends like a heading stands alone; text whose lines are whole paragraphs is left as it is."""
    rows = _raw_lines(text)
    out = list(text)
    zones: list[tuple[int, int]] = []
    # The wrap width of each run of non-blank lines: its longest line, a table's source note
    # left out (it runs across the page, over a narrow column's text).
    width: dict[int, int] = {}
    run_of: dict[int, int] = {}  # each line's run, by the run's first line
    for blank, run in itertools.groupby(
        range(len(rows)), lambda i: not text[slice(*rows[i])].strip()
    ):
        if not blank:
            run = list(run)
            measured = [i for i in run if not _SOURCE_NOTE.match(text[slice(*rows[i])])]
            widest = max(rows[i][1] - rows[i][0] for i in measured or run)
            width.update(dict.fromkeys(run, widest))
            run_of.update(dict.fromkeys(run, run[0]))
    kept, wrapped = [], set()

    def first_word(i: int) -> int:
        line = text[slice(*rows[i])]
        return rows[i][0] + len(line) - len(line.lstrip())

    for i in range(len(rows) - 1):
        prev, nxt = text[slice(*rows[i])], text[slice(*rows[i + 1])]
        if not _joins(prev, nxt, width.get(i, 0)):
            if prev.strip() and nxt.strip():
                kept.append(i)
            continue
        wrapped.add(run_of.get(i))
        stop = rows[i][0] + len(prev.rstrip())  # after the line's last word
        gap_end = first_word(i + 1)
        word = re.search(r"([^\W\d_]+)-$", prev.rstrip())
        rest = re.match(r"[a-z]+", nxt.lstrip())
        if word and rest:
            # "produc-\ntion" -> "production" + padding: the joined word, then spaces; after
            # a compound's prefix the hyphen stays: "state-\nowned" -> "state-owned".
            begin, end = stop - len(word.group(0)), gap_end + rest.end()
            # (a suffix after a name or a word of its own, not after a bound prefix:
            # "un-\nlisted", "cor-\nrelated", "under-\nfunded" are single words)
            named = word.group(1)[0].isupper()
            free = len(word.group(1)) >= 4 and word.group(1).lower() not in _BOUND_PREFIX
            compound = (
                word.group(1).lower() in _COMPOUND_PREFIX
                or (rest.group(0) in _COMPOUND_SUFFIX and (named or free))
                or (named and rest.group(0) in ("led", "run"))
            )
            joined = word.group(0 if compound else 1) + rest.group(0)
            out[begin:end] = joined.ljust(end - begin)
            zones.append((begin + len(joined), end))
        else:
            out[stop:gap_end] = " " * (gap_end - stop)
    guessed = frozenset(first_word(i + 1) for i in kept if run_of.get(i) in wrapped)
    return Reflowed("".join(out), tuple(zones), guessed)


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, its surrounding white space left out."""
    out = []
    for start, end in _raw_lines(text):
        body = text[start:end]
        if body.strip():
            lead = len(body) - len(body.lstrip())
            out.append((start + lead, start + len(body.rstrip())))
    return out


_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’/-]+,(?:[^\n]{0,60}?)\s(?:-{1,2}|–|—)\s|^[A-Z][A-Z .'’/-]+\s(?:–|—|-{1,2})\s"
    r"|^[A-Z][\w.'’]+(?:\s[A-Z][\w.'’]+)?,\s[A-Z][\w.'’]+(?:\s[A-Z][\w.'’]+){0,2}\s(?:-{1,2}|–|—)\s"
)


def _is_heading(line: str, first: bool, title: str) -> bool:
    stripped = line.strip()
    if re.match(r"^(?:Table|Figure|Chart|Exhibit)\s+\d+(?:[-.]\d+)*[.:]?\s", stripped):
        return True  # a caption: what the table shows, not a statement
    if title and stripped == title.strip():
        return True
    if _FURNITURE.match(stripped):
        return True
    letters = [c for c in stripped if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    if len(stripped.split()) >= 3 and len(letters) >= 12 and capitals >= 0.9 * len(letters):
        # "KOMIR CORNERSTONES A$16.8 MILLION PLACEMENT; KEXIM LETTER OF INTEREST ...": a
        # headline in capitals, however long, restates the body
        return True
    if stripped[-1:] in '.!?"”’)':
        return False
    if _CONTINUATION_END.search(stripped):
        return False  # "... net profit attributable to": a sentence broken off, not a heading
    if re.search(r"[a-z0-9%)][.!?][\"”’)]*\s+[A-Z]", stripped):
        span = (line.index(stripped[0]), len(line))
        if len(sentences(line, *span)) > 1:
            return False  # a sentence ends inside it: a paragraph, not a heading
    if _BULLET.match(line) and re.search(r"\d", _BULLET.sub("", line, count=1)):
        # "- Revenue up 15% to $88 million": a list item stating a figure (a press release's
        # highlights) is a statement without a full stop, not a heading.
        return False
    return first or len(stripped.split()) <= 16
