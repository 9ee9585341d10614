"""A table's rows as lines of text (`_is_table_row`): a label then numbers ("South Korea 498
(510)"), the HTML extractor's "Label | cell | cell", a PDF's row of word cells and its label
wrapped onto the line above (`_table_lines`); and the unit a table's caption gives its cells
(`_caption_unit`). What a row proposes is in intake.proposer.tables."""

from __future__ import annotations

import re

# A row of a table of figures: a label, then numbers (a figure and the previous period's in
# brackets, or several columns): "South Korea 498 (510)", "Japan | 1,120 | 1,040".
_CELL = r"[-−+]?\d[\d,]*(?:\.\d+)?%?"  # "+14.5%": a change column
# An empty cell after a figure, printed as a dash: "Kingston Magnetics Inc. Canada Loan 120.0
# 35.0 –" (no stake)
_OR_EMPTY = rf"(?:{_CELL}|[–—](?=\s|$)|n/a(?=\s|$))"
_TABLE_ROW = re.compile(
    rf"^\|?\s*(?P<label>[A-Z][^\d|\t]{{0,60}}?)\s*[|\t]?\s*"
    rf"(?P<cells>{_CELL}(?:\s*\({_CELL}\))?(?:\s*[|\t]?\s*{_OR_EMPTY}(?:\s*\({_CELL}\))?){{0,8}})"
    r"\s*\|?\s*$"
)
# A row as the HTML extractor writes a table's cells, "Label | cell | cell", where a cell
# may be words around a figure ("Phase 1 output | 3,400 t TREO a year", "Initial capital cost |
# US$285-310 million"): a row when a cell after the label holds a number.
_PIPE_ROW = re.compile(
    r"^\|?\s*(?P<label>[A-Z][^|\n]{0,80}?)\s+\|\s+(?P<cells>(?=[^\n]*\d)[^\n]{1,160}?)\s*\|?\s*$"
)


# A row of a printed table whose middle columns are words, as a PDF's text layer gives it:
# a label, cells of words and numbers, and at least two numbers last ("Changting Rare Earth
# Separation Co., Ltd. 76% Separation 5,600 236.9"). Its label may wrap onto the line above.
_WORD_ROW = re.compile(
    rf"^(?P<label>[A-Z][^\d\n]{{0,80}}?(?:\n[^\d\n]{{1,80}}?)?)\s+"
    rf"(?P<cells>{_CELL}(?:\s+[^\d\s][^\d\n]{{0,40}}?)?(?:\s+{_CELL}){{1,8}}(?:\s+{_OR_EMPTY}){{1,8}})\s*$"
)


def _is_table_row(line: str) -> bool:
    return bool(_TABLE_ROW.match(line) or _PIPE_ROW.match(line) or _WORD_ROW.match(line))


def _table_lines(text: str, all_lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines of the text, with a printed table's wrapped row labels joined to their rows:
    in a run of two or more rows of word cells (`_WORD_ROW`), a short line with no number and
    no sentence end just above a row is the first half of that row's label ("Minjiang
    Magnetics (Longyan)" over "Co., Ltd. 100% Sintered NdFeB magnets 20,000 412.6")."""
    word_rows = [bool(_WORD_ROW.match(text[a:b])) for a, b in all_lines]
    out: list[tuple[int, int]] = []
    skip = False
    for i, (a, b) in enumerate(all_lines):
        if skip:
            skip = False
            continue
        line = text[a:b]
        if (
            i + 1 < len(all_lines)
            and word_rows[i + 1]
            and not word_rows[i]
            and not re.search(r"\d", line)
            and len(line.split()) <= 6
            and line[-1:] not in ".!?:;"
            and any(word_rows[j] for j in (i - 1, i + 2, i + 3) if 0 <= j < len(all_lines))
        ):
            out.append((a, all_lines[i + 1][1]))
            skip = True
        else:
            out.append((a, b))
    return out


_CAPTION_UNITS = (
    (re.compile(r"\b(?:tonnes?|tons?|t)\b", re.I), "t"),
    (re.compile(r"%|\bper ?cent\b|\bpercent\b", re.I), "%"),
    (re.compile(r"\b(?:yuan|RMB|CNY)\b|¥", re.I), "CNY"),
    (re.compile(r"\b(?:USD|US\$|dollars)\b|\$"), "USD"),
    (re.compile(r"\b(?:EUR|euros?)\b|€", re.I), "EUR"),
)


def _caption_unit(caption: str) -> tuple[str, float]:
    """The unit and multiplier a table's caption gives its cells ("tonnes", "$ million"); none
    when it names several (a header row's "Capacity (t/a) Net profit (RMB m)": each column its
    own, which a line of text does not tell apart)."""
    units = [u for pattern, u in _CAPTION_UNITS if pattern.search(caption)]
    if len(units) > 1:
        return "", 1
    unit = units[0] if units else ""
    mult = re.search(r"\b(thousand|million|billion|mn|bn|'000)\b", caption, re.I)
    factor = {"thousand": 1e3, "'000": 1e3, "million": 1e6, "mn": 1e6}.get(
        (mult.group(1).lower() if mult else ""), 1e9 if mult else 1
    )
    return unit, factor
