"""One figure reader for the whole desk: the proposer's figures (intake.proposer), the
evidence hints' search of an archived text (claims.hints) and matching of proposals to
claims (the figure index, `claims.models.ClaimFigure`) read numbers through this module.

Two views over one set of tables (multipliers, currencies, units):

- `parse_figures(text)` (claims/stated_figures.py): the amounts, ranges and dates a clause states, each a dict with
  `value` or `low`/`high`, a `unit` ("%", "t", a currency code, a counted noun, "year",
  "half-year", "quarter", "date"), the `text` read and its offsets, and a `qualifier`
  ("nearly", "more than") when given. Thousands separators; multipliers in words and
  abbreviations (thousand, million, bn, mn, k) and Chinese (千, 万, 亿, 万亿, 百万); currencies
  before or after the number ("RMB 1.2 billion", "yuan 1.2 billion", "1.2 billion yuan",
  "12亿元", "US$400 million"); tonnes (t, kt, Mt, 吨); "between 1,882.5% and 2,014.7%".
- `quantities(text)`: every number of a (normalised) text with its multiplier, decimals and
  unit class, for the hints' search of a claim's figures in evidence (a rounded "1,951%"
  found for 1,951.3%).

`figure_key` / `canonical_unit` give the comparable form both sides use ("tonnes" and "t",
"per cent" and "%", "yuan" and "CNY" are one unit), `index_rows` the rows of the figure index.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# --- Shared tables ----------------------------------------------------------------------------

_MULTIPLIERS = {
    "万亿": 10**12,
    "亿": 10**8,
    "万": 10**4,
    "千": 10**3,
    "百万": 10**6,
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
}
# Unit words → unit class. A figure's unit is classed the same way.
_UNITS = {
    "%": "percent",
    "per cent": "percent",
    "percent": "percent",
    "pct": "percent",
    "t": "tonne",
    "tonne": "tonne",
    "tonnes": "tonne",
    "ton": "tonne",
    "tons": "tonne",
    "metric tons": "tonne",
    "吨": "tonne",
    "公吨": "tonne",
    "元": "cny",
    "yuan": "cny",
    "rmb": "cny",
    "cny": "cny",
    "¥": "cny",
    "人民币": "cny",
    "美元": "usd",
    "usd": "usd",
    "us$": "usd",
    "$": "usd",
    "dollars": "usd",
}
_CURRENCY_PREFIX = r"(?P<cur>RMB|CNY|US\$|USD|\$|¥|人民币)"
_NUMBER = r"(?P<num>\d{1,3}(?:[,\u2009\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MULT = r"(?P<mult>万亿|亿|万|千|百万|thousand|million|billion|trillion|bn|mn|m|k)"
_UNIT = (
    r"(?P<unit>%|per\s?cent|percent|pct|metric\s+tons|tonnes?|tons?|t|公吨|吨|元|yuan|RMB|CNY"
    r"|美元|dollars|USD)"
)
_QUANTITY = re.compile(
    rf"(?:{_CURRENCY_PREFIX}\s?)?(?<![\d.,]){_NUMBER}"
    rf"(?:\s?{_MULT}(?![A-Za-z]))?(?:\s?{_UNIT}(?![A-Za-z]))?",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|~|～|to|and|至|到)\s*$", re.IGNORECASE)


@dataclass
class Quantity:
    value: Decimal
    decimals: int
    unit: str | None
    start: int
    end: int
    multiplier: int = 1


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def unit_class(unit: str | None) -> str | None:
    if not unit:
        return None
    key = " ".join(unit.lower().split())
    if key in ("per cent", "percent") or key.replace(" ", "") == "percent":
        return "percent"
    return _UNITS.get(key, f"count:{key}")


def quantities(text: str) -> list[Quantity]:
    """Every number in `text` with its multiplier and unit class (text already normalised)."""
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        raw = re.sub(r"[,\u2009\u202f]", "", match.group("num"))
        try:
            number = Decimal(raw)
        except InvalidOperation:
            continue
        mult_word = (match.group("mult") or "").lower()
        unit_word = match.group("unit") or match.group("cur")
        if mult_word == "m" and not (unit_word or match.group("cur")):
            mult_word = ""  # "60 m" alone is more often metres than millions
        multiplier = _MULTIPLIERS.get(mult_word, 1)
        decimals = -number.as_tuple().exponent if number.as_tuple().exponent < 0 else 0
        found.append(
            Quantity(
                value=number * multiplier,
                decimals=int(decimals),
                unit=unit_class(unit_word),
                start=match.start(),
                end=match.end(),
                multiplier=multiplier,
            )
        )
    # "1,882.5–2,014.7%", "60 to 70 per cent": the first number takes the unit of the second.
    for first, second in itertools.pairwise(found):
        if first.unit is None and second.unit and _RANGE_JOIN.match(text[first.end : second.start]):
            first.unit = second.unit
            if first.multiplier == 1 and second.multiplier != 1:
                first.value *= second.multiplier
                first.multiplier = second.multiplier
    return found


def figure_unit_class(figure: dict) -> str | None:
    return unit_class(str(figure.get("unit") or "")) if figure.get("unit") else None


def compatible_units(figure_unit: str | None, text_unit: str | None) -> bool:
    if figure_unit is None:
        return True
    if figure_unit.startswith("count:"):
        return text_unit is None or text_unit == figure_unit
    return figure_unit == text_unit


def match_kind(target: float, quantity: Quantity) -> str | None:
    """ "exact", "approximate" (the text rounds the figure), or None."""
    value = float(quantity.value)
    if math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-9):
        return "exact"
    # The text gives fewer decimals than the figure: 1,951% for 1,951.3%; 5.1万 for 51,230.
    scale = quantity.multiplier
    rounded = round(target / scale, quantity.decimals) * scale
    if math.isclose(value, rounded, rel_tol=1e-9) and value != 0:
        return "approximate"
    return None


def label(figure: dict) -> str:
    unit = str(figure.get("unit") or "")
    sep = "" if unit in ("%", "") else " "

    def fmt(v) -> str:
        number = float(v)
        if number.is_integer():
            return f"{int(number):,}"
        return f"{number:,.{max(0, -Decimal(str(v)).as_tuple().exponent)}f}"

    if "low" in figure and "high" in figure:
        return f"{fmt(figure['low'])}{sep}{unit}–{fmt(figure['high'])}{sep}{unit}".strip()
    if "value" in figure:
        return f"{fmt(figure['value'])}{sep}{unit}".strip()
    return str(figure)


QUANTITY_UNITS_EXCLUDED = {"year", "half-year", "quarter", "date"}


def quantitative(figures: Iterable[dict]) -> list[dict]:
    """The figures that are amounts (not dates)."""
    return [f for f in figures if f.get("unit") not in QUANTITY_UNITS_EXCLUDED]


def figure_key(figure: dict) -> tuple:
    """A comparable form: (unit, value) or (unit, low, high), numbers as floats."""
    unit = canonical_unit(figure.get("unit"))
    if "low" in figure and "high" in figure:
        return (unit, float(figure["low"]), float(figure["high"]))
    try:
        return (unit, float(figure.get("value")))
    except (TypeError, ValueError):
        return (unit, str(figure.get("value")))


def figure_covers(a: dict, b: dict) -> bool:
    """Does figure `a` state what `b` states? Equal, or `b` approximate and inside `a`'s range."""
    ka, kb = figure_key(a), figure_key(b)
    if ka == kb:
        return True
    if ka[0] != kb[0]:
        return False
    if len(ka) == 3 and len(kb) == 2 and isinstance(kb[1], float) and b.get("qualifier"):
        return ka[1] <= kb[1] <= ka[2] or abs(kb[1] - ka[1]) / max(ka[1], 1) < 0.1
    return False


def figure_label(figure: dict) -> str:
    """ "1,882.5–2,014.7 %", "8,000 t", "1,200,000,000 CNY", "2025-H1 (half-year)"."""

    def fmt(v) -> str:
        return f"{v:,}" if isinstance(v, int | float) else str(v)

    unit = figure.get("unit", "")
    if "low" in figure and "high" in figure:
        return f"{fmt(figure['low'])}–{fmt(figure['high'])} {unit}".strip()
    if unit in QUANTITY_UNITS_EXCLUDED:
        return f"{figure.get('value')} ({unit})"
    return f"{fmt(figure.get('value'))} {unit}".strip()


def stored_figures(figures: Iterable[dict]) -> list[dict]:
    """Figures as `Claim.figures` holds them: amounts only, without offsets."""
    out = []
    for f in quantitative(figures):
        item = {k: f[k] for k in ("value", "low", "high", "unit") if k in f}
        if f.get("qualifier"):
            item["measure"] = f"({f['qualifier']})"
        out.append(item)
    return out


# A unit class (hints' `unit_class`) as the proposer writes the unit.
_CLASS_UNIT = {"percent": "%", "tonne": "t", "cny": "CNY", "usd": "USD"}
_CANONICAL = {
    "eur": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "gbp": "GBP",
    "£": "GBP",
    "aud": "AUD",
    "a$": "AUD",
    "cad": "CAD",
    "c$": "CAD",
    "hkd": "HKD",
    "hk$": "HKD",
    "kt": "t",
    "mt": "t",
}


def canonical_unit(unit) -> str:
    return _canonical_unit(str(unit) if unit is not None else "")


@functools.lru_cache(maxsize=4096)
def _canonical_unit(unit: str) -> str:
    """One spelling per unit: "%", "t", "CNY", "USD", "EUR" ..., a counted noun as written
    (lower case), a date unit as is."""
    raw = " ".join(str(unit or "").split())
    if not raw:
        return ""
    if raw in QUANTITY_UNITS_EXCLUDED:
        return raw
    key = raw.lower()
    if key in _CANONICAL:
        return _CANONICAL[key]
    cls = unit_class(raw)
    if cls in _CLASS_UNIT:
        return _CLASS_UNIT[cls]
    return key


def index_rows(figures: Iterable[dict]) -> list[tuple[str, float, float]]:
    """The figure index's rows for a claim's figures: (unit, low, high), a single value as
    low == high; dates and values that are not numbers are left out."""
    rows = []
    for figure in figures or []:
        if not isinstance(figure, dict):
            continue
        key = figure_key(figure)
        if key[0] in QUANTITY_UNITS_EXCLUDED:
            continue
        numbers = key[1:]
        if not all(isinstance(n, float) and math.isfinite(n) for n in numbers):
            continue
        rows.append((key[0], numbers[0], numbers[-1]))
    return list(dict.fromkeys(rows))
