"""A table's rows as proposals: what the rows of a table are about and who says so
(`_table_context`: its caption, else the statement before it; a "Source:" line under it), a row
with figures as a figure claim (`_table_row`), and whether a proposal was read from a row
(`_from_table`). Which lines are rows is intake.proposer.rows."""

from __future__ import annotations

import re

from claims.figures import quantitative
from claims.stated_figures import clean_number as _clean
from claims.stated_figures import parse_figures
from intake.proposer.context import _Context
from intake.proposer.entities import COMPANY_KINDS
from intake.proposer.mentions import _subject_mentions
from intake.proposer.proposal import Proposal
from intake.proposer.rows import _CELL, _PIPE_ROW, _TABLE_ROW, _WORD_ROW, _caption_unit
from intake.proposer.wording import fingerprint

# A row of a company's accounts: "Revenue 31.4 52.8 88.6", "Net income -11.8 -2.6 7.1".
_FINANCIAL_ROW = re.compile(
    r"^\s*(?:revenues?|sales|turnover|ebitda|ebit|operating (?:profit|income|loss)|"
    r"gross (?:profit|margin)|net (?:income|profit|loss|debt|cash)|profit (?:before|after)|"
    r"(?:basic |diluted )?eps|earnings per share|free cash flow|operating cash flow|capex|"
    r"capital expenditure|dividends? per share|total assets|equity)\b",
    re.I,
)


def _table_context(text, all_lines, rows, first, caption, candidates, ctx) -> dict:
    """What the rows of a table starting at line `first` are about and who says so: the
    caption's names ("China's exports of NdFeB magnets by destination"), else the last
    statement before the table; a "Source: X" line under the table is its origin."""
    out: dict = {"subjects": [], "named": [], "origin": None, "from": ""}
    # A table of imports by origin: each row's country is the exporter, the row's subject
    # (README rule 9: trade data is the exporting country's); a caption above a header line
    # ("Origin Oct 2026 Jan-Oct 2026") is read with it.
    above = text[slice(*all_lines[first - 2])] if first >= 2 else ""
    heading = f"{above}\n{caption}"
    out["by_origin"] = bool(
        re.search(
            r"\b(?:imports?|purchases|arrivals|supplies)\b[^\n]{0,80}?\bby\s+(?:origin|source|"
            r"supplier|country of origin)\b|^\s*(?:Origin|Source country|Country of origin)\b",
            heading,
            re.I | re.M,
        )
    )
    if caption:
        at = text.find(caption)
        named = _subject_mentions(text, at, at + len(caption), ctx) if at >= 0 else []
        out["subjects"] = [m.entity for m in named if m.entity.id > 0]
        out["named"] = [m.entity.name for m in named if m.entity.id < 0]
        out["from"] = "the table's caption"
    caption_named = bool(out["subjects"] or out["named"])
    if not (out["subjects"] or out["named"]):
        last = next(
            (c for c in reversed(candidates) if not c.bullet and not _from_table(c)),
            None,
        )
        if last is not None:
            out["subjects"] = [e for e in last.subjects_refs if e.id > 0]
            out["named"] = list(last.named_subjects)
            out["from"] = "the text before the table"
    end = first
    while end < len(rows) and rows[end]:
        end += 1
    labels = [text[slice(*all_lines[i])] for i in range(first, end)]
    if (
        not caption_named
        and labels
        and sum(bool(_FINANCIAL_ROW.match(r)) for r in labels) * 2 >= len(labels)
    ):
        # Revenue, EBITDA, net income by year: the accounts of the company the document is
        # about (a research note's, an annual report's), whatever the sentence before said.
        company = ctx.head_company() or ctx.main_company()
        if company is not None:
            out["subjects"] = [company] if company.id > 0 else []
            out["named"] = [] if company.id > 0 else [company.name]
            out["from"] = "the accounts of the company the document is about"
    if end < len(all_lines):
        under = text[slice(*all_lines[end])]
        m = re.match(r"^\s*Sources?\s*:\s*(?P<who>.+)", under)
        own = m and re.match(
            r"(?i)(?:the\s+(?:fund|company|group|bank|ministry|corporation|authority|agency)['’]s|"
            r"our|own|internal|company|management)\b",
            m.group("who").strip(),
        )
        if m and not own:
            # (a source line of the document's own records leaves the rows in its own voice)
            who = m.group("who").strip()
            entity = ctx.matcher.match_name(who)
            out["origin"] = ("attributed", f"Source: {who}"[:200], entity.id if entity else None)
    return out


def _table_row(
    text: str, start: int, end: int, caption: str, ctx: _Context, outlet_id: int | None
) -> Proposal | None:
    """A table row with figures as a figure claim: its cells read with the caption's unit."""
    unit, factor = _caption_unit(caption)
    figures = []
    m = _TABLE_ROW.match(text[start:end]) or _WORD_ROW.match(text[start:end])
    if m is None:
        m = _PIPE_ROW.match(text[start:end])
        if m is None:
            return None
        # Cells in words: read as any sentence's figures are.
        figures = quantitative(parse_figures(text, start + m.start("cells"), end))
    cells = () if figures else re.finditer(_CELL, m.group("cells"))
    for cell in cells:
        raw = cell.group(0)
        a = start + m.start("cells") + cell.start()
        number = float(raw.replace(",", "").replace("−", "-").rstrip("%"))
        if re.fullmatch(r"(?:19|20)\d{2}", raw):
            continue  # a year column heading, not a figure
        cell_unit = "%" if raw.endswith("%") else unit
        value = number * (factor if cell_unit not in ("%", "") else 1)
        figures.append(
            {
                "value": _clean(value),
                "unit": cell_unit,
                "text": raw,
                "start": a,
                "end": a + len(raw),
            }
        )
    if not figures:
        return None
    label = " ".join(m.group("label").strip(" |\t").split())
    # A row labelled with a company is about it; a row labelled with a place or a measure
    # ("Germany 3,412 (3,122)", "Revenue, R million") goes on about what the text before the
    # table was about, in that text's voice.
    named = [
        x.entity
        for x in [*ctx.matcher.mentions(text, start, end), *ctx.unknown_mentions(text, start, end)]
        if x.entity.kind in COMPANY_KINDS
    ]
    before = ctx.table_context or {}
    origin_kind, origin_phrase, origin_id = before.get("origin") or ("own_voice", "", outlet_id)
    named_subjects: list[str] = []
    origins = [x.entity for x in ctx.matcher.mentions(text, start, end) if x.entity.kind == "state"]
    if before.get("by_origin") and not named:
        # "Malaysia 1,904 (2,215)" under "imports by origin": Malaysia's exports; "Other
        # origins 386 (410)" names nobody.
        subjects = list(dict.fromkeys(origins))
        about = f"the exporting country, in a table of imports by origin (row label {label!r})"
    elif named:
        subjects = [e for e in named if e.id > 0]
        named_subjects = [e.name for e in named if e.id < 0]
        about = f"names {', '.join(e.name for e in named)}"
    elif before.get("subjects") or before.get("named"):
        subjects = list(before["subjects"])
        named_subjects = list(before["named"])
        who = ", ".join([*(e.name for e in subjects), *named_subjects])
        about = f"about {who}, as {before['from']} (row label {label!r})"
    else:
        subjects, about = [], f"row label {label!r}"
    reasons = [
        f"a table row: {label} {', '.join(f['text'] for f in figures)}"
        + (f" ({unit or 'no unit'}, from the caption {caption.strip()!r})" if caption else ""),
        about,
        f"attributed: {origin_phrase!r}"
        if origin_kind == "attributed"
        else "the article's own voice",
    ]
    body = text[start:end]
    return Proposal(
        start=start,
        end=end,
        text=body,
        kind="figure",
        figures=figures,
        score=0.55 if caption else 0.45,
        reasons=reasons,
        subjects=[e.id for e in subjects],
        named_subjects=named_subjects,
        origin_kind=origin_kind,
        origin_phrase=origin_phrase,
        origin_id=origin_id,
        fingerprint=fingerprint(body),
    )


def _from_table(p: Proposal) -> bool:
    """Was `p` read from a table row (`_table_row` gives it its first reason)?"""
    return bool(p.reasons) and p.reasons[0].startswith("a table row")
