"""A clause's span and what the clause rules learnt of it (`Segment`), and whether a span
states a figure."""

from __future__ import annotations

from dataclasses import dataclass

from claims.figures import quantitative
from claims.stated_figures import parse_figures


@dataclass
class Segment:
    start: int
    end: int
    kind_hint: str = ""  # "ownership" for relation phrases, "event" for attributions
    context_start: int = -1  # where the clause's subject may be found (before its span)
    attribution: str = ""  # "according to X" that introduces the rest of the sentence
    forced_reason: str = ""


def _has_figure(text: str, start: int, end: int) -> bool:
    return bool(quantitative(parse_figures(text, start, end)))
