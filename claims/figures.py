"""One figure reader for the whole desk: the proposer's figures (intake.proposer), the
evidence hints' search of an archived text (claims.hints) and matching of proposals to
claims (the figure index, `claims.models.ClaimFigure`) read numbers through this module.

Two views over one set of tables (multipliers, currencies, units):

- `parse_figures(text)`: the amounts, ranges and dates a clause states, each a dict with
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

import datetime
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


# --- Figures a clause states ---------------------------------------------------------------


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_QUALIFIERS = {
    "nearly": "nearly",
    "almost": "nearly",
    "close to": "nearly",
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "some": "about",
    "over": "more than",
    "more than": "more than",
    "above": "more than",
    "at least": "at least",
    "up to": "up to",
    "as much as": "up to",
    "as many as": "up to",
    "less than": "less than",
    "under": "less than",
    "below": "less than",
}
_QUAL = r"(?:(?P<qual>" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r")\s+)?"
_MULT_WORDS = {
    "万亿": 1e12,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "百万": 1e6,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_MULT = (
    r"(?:\s?(?P<mult>万亿|亿|万|千|百万|thousand|million|billion|trillion|mln|mn|bn|tn|k|m|b)"
    r"(?![A-Za-z]))?"
)
_CURRENCY_CODES = {
    "rmb": "CNY",
    "cny": "CNY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "¥": "CNY",
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "a$": "AUD",
    "aud": "AUD",
    "c$": "CAD",
    "cad": "CAD",
    "hk$": "HKD",
    "hkd": "HKD",
    "元": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    # the other currencies of mining countries, as their press writes them: "R2.1 billion"
    # (rand), "N$420 million", "S$", "NZ$", "R$" (real), "₹", "1.1 billion ringgit"
    "r": "ZAR",
    "rand": "ZAR",
    "n$": "NAD",
    "s$": "SGD",
    "nz$": "NZD",
    "r$": "BRL",
    "₹": "INR",
    "rupees": "INR",
    "ringgit": "MYR",
    "rm": "MYR",
    "yen": "JPY",
}
_CUR_PREFIX = (
    r"(?P<cur>RMB|CNY|USD|EUR|GBP|AUD|CAD|HKD|US\$|A\$|C\$|HK\$|NZ\$|N\$|S\$|R\$|\$|€|£|¥|₹|"
    r"人民币|(?<![\w$])(?-i:R|RM)(?=\d)|(?:yuan|renminbi|dollars|euros)(?=\s?\d))"
)
_CUR_SUFFIX = (
    r"(?P<cur2>yuan|renminbi|RMB|CNY|dollars|USD|euros|EUR|ringgit|rand|rupees|yen|美元|人民币|元)"
)
_PCT = r"(?:%|\s?per\s?cent\b|\s?percent\b|\s?pct\b)"
_TONNE = r"(?:[\s-]?(?:metric\s+)?(?:tonnes?|tons?)\b|\s?(?:t|kt|Mt)\b(?!-)|\s?(?:公吨|吨))"

_RANGE_PCT = re.compile(
    rf"(?:between\s+|from\s+)?(?P<lo>{_NUM})\s?{_PCT}?\s*(?:and|to|-|–|—)\s*(?P<hi>{_NUM}){_PCT}",
    re.I,
)
# "US$285-310 million", "between A$1.2 billion and A$1.5 billion", "5,000–6,000 tonnes":
# a range, its multiplier and unit written once or at both ends. "and" only after "between";
# never "to" ("rose from 2,000 to 2,100 tonnes" is a change, not a range).
_RANGE_HEAD = r"(?:(?P<between>between)\s+)?"
_RANGE_SEP = r"\s?(?:-|–|—|(?(between)\s+and\s+|(?!)))\s?"
_RANGE_CURRENCY = re.compile(
    rf"{_RANGE_HEAD}{_CUR_PREFIX}\s?(?P<lo>{_NUM}){_MULT.replace('mult', 'lomult')}{_RANGE_SEP}"
    rf"(?:{_CUR_PREFIX.replace('?P<cur>', '?:')}\s?)?(?P<hi>{_NUM}){_MULT}(?![\w$])",
    re.I,
)
_RANGE_TONNES = re.compile(
    rf"{_RANGE_HEAD}(?P<lo>{_NUM}){_MULT.replace('mult', 'lomult')}(?:{_TONNE})?{_RANGE_SEP}"
    rf"(?P<hi>{_NUM}){_MULT}(?P<unit>{_TONNE})",
    re.I,
)
_PERCENT = re.compile(rf"{_QUAL}(?P<num>{_NUM}){_PCT}", re.I)
_TONNES = re.compile(rf"{_QUAL}(?P<num>{_NUM}){_MULT}(?P<unit>{_TONNE})", re.I)
_CURRENCY = re.compile(
    rf"{_QUAL}(?:{_CUR_PREFIX}\s?(?P<num>{_NUM}){_MULT}|(?P<num2>{_NUM}){_MULT.replace('mult', 'mult2')}\s?{_CUR_SUFFIX}(?![A-Za-z]))",
    re.I,
)
_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
}
_COUNT = re.compile(
    rf"{_QUAL}(?P<num>{_NUM}|\b(?:{'|'.join(_NUMBER_WORDS)})\b)(?![\w%.,-]*\d)(?![A-Za-z%])"
    r"(?P<words>(?:\s+[\w-]+){1,3})",
    re.I,
)
_HALF = re.compile(
    r"\b(?:(?P<ord>first|second)[\s-]half\s+(?:of\s+)?(?P<y1>(?:19|20)\d{2})"
    r"|(?P<h>H[12])\s?(?P<y2>(?:19|20)\d{2})|(?P<h2>[12])H\s?(?P<y3>\d{2})\b)",
    re.I,
)
_QUARTER = re.compile(
    r"\b(?:(?P<ord>first|second|third|fourth)\s+quarter\s+(?:of\s+)?(?P<y1>(?:19|20)\d{2})"
    r"|Q(?P<q>[1-4])\s?(?P<y2>(?:19|20)\d{2}))",
    re.I,
)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_FULL_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTHS})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>(?:19|20)\d{{2}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTHS})\.?,?\s+(?P<y2>(?:19|20)\d{{2}})"
    r"|(?P<y3>(?:19|20)\d{2})-(?P<mm>\d{2})-(?P<dd>\d{2}))\b"
)
_YEAR = re.compile(
    r"(?<![\d,.$€£¥-])\b(?P<y>(?:19|20)\d{2})\b(?![\d%,.]\d|-\w|\s?(?:%|t\b|tons?|tonnes?))"
)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


def clean_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)


def _month(name: str) -> int:
    names = [m.lower()[:3] for m in _MONTHS.split("|")[:12]]
    return names.index(name.lower()[:3]) + 1


def parse_figures(text: str, start: int = 0, end: int | None = None) -> list[dict]:
    """The figures in `text[start:end]`, in text order, each a dict with `value` or `low` and
    `high`, a `unit` ("%", "t", a currency code, a counted noun, "year", "half-year",
    "quarter", "date"), the `text` it was read from and its `start`/`end` in `text`, and a
    `qualifier` ("nearly", "more than", ...) when the text gives one."""
    end = len(text) if end is None else end
    found: list[dict] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(a: int, b: int, figure: dict, qual: str | None = None) -> None:
        if not free(a, b):
            return
        if qual:
            figure["qualifier"] = _QUALIFIERS[qual.lower()]
        figure.update(text=text[a:b], start=a, end=b)
        found.append(figure)
        taken.append((a, b))

    for m in _RANGE_PCT.finditer(text, start, end):
        lo, hi = _number(m.group("lo")), _number(m.group("hi"))
        if lo < hi:
            add(
                m.start(), m.end(), {"low": clean_number(lo), "high": clean_number(hi), "unit": "%"}
            )

    def add_range(m: re.Match, unit: str, scale: float = 1) -> None:
        # The multiplier written once ("US$285-310 million") serves both ends.
        mult = _MULT_WORDS.get((m.group("mult") or "").lower(), 1)
        lo_mult = _MULT_WORDS.get((m.group("lomult") or "").lower(), mult)
        lo = _number(m.group("lo")) * lo_mult * scale
        hi = _number(m.group("hi")) * mult * scale
        if lo < hi:
            add(
                m.start(),
                m.end(),
                {"low": clean_number(lo), "high": clean_number(hi), "unit": unit},
            )

    for m in _RANGE_CURRENCY.finditer(text, start, end):
        cur = m.group("cur").lower()
        add_range(m, _CURRENCY_CODES.get(cur, cur.upper()))
    for m in _RANGE_TONNES.finditer(text, start, end):
        add_range(m, "t", {"kt": 1e3, "mt": 1e6}.get(m.group("unit").strip(" -").lower(), 1))
    for m in _PERCENT.finditer(text, start, end):
        add(
            m.start(),
            m.end(),
            {"value": clean_number(_number(m.group("num"))), "unit": "%"},
            m["qual"],
        )
    for m in _CURRENCY.finditer(text, start, end):
        raw = m.group("num") or m.group("num2")
        mult = (m.group("mult") or m.group("mult2") or "").lower()
        cur = (m.group("cur") or m.group("cur2") or "").lower()
        value = _number(raw) * _MULT_WORDS.get(mult, 1)
        add(
            m.start(),
            m.end(),
            {"value": clean_number(value), "unit": _CURRENCY_CODES.get(cur, cur.upper())},
            m["qual"],
        )
    for m in _TONNES.finditer(text, start, end):
        mult = (m.group("mult") or "").lower()
        unit = m.group("unit").strip(" -").lower()
        value = _number(m.group("num")) * _MULT_WORDS.get(mult, 1)
        value *= {"kt": 1e3, "mt": 1e6}.get(unit, 1)
        add(m.start(), m.end(), {"value": clean_number(value), "unit": "t"}, m["qual"])
    for m in _HALF.finditer(text, start, end):
        if m["ord"]:
            half, year = (1 if m["ord"].lower() == "first" else 2), m["y1"]
        elif m["h"]:
            half, year = int(m["h"][1]), m["y2"]
        else:
            half, year = int(m["h2"]), "20" + m["y3"]
        add(m.start(), m.end(), {"value": f"{year}-H{half}", "unit": "half-year"})
    for m in _QUARTER.finditer(text, start, end):
        quarter = _ORDINALS[m["ord"].lower()] if m["ord"] else int(m["q"])
        add(m.start(), m.end(), {"value": f"{m['y1'] or m['y2']}-Q{quarter}", "unit": "quarter"})
    for m in _FULL_DATE.finditer(text, start, end):
        try:
            if m["y1"]:
                y, mo, d = int(m["y1"]), _month(m["m1"]), int(m["d1"])
            elif m["y2"]:
                y, mo, d = int(m["y2"]), _month(m["m2"]), int(m["d2"])
            else:
                y, mo, d = int(m["y3"]), int(m["mm"]), int(m["dd"])
            value = datetime.date(y, mo, d).isoformat()
        except ValueError:
            continue
        add(m.start(), m.end(), {"value": value, "unit": "date"})
    for m in _YEAR.finditer(text, start, end):
        add(m.start(), m.end(), {"value": int(m["y"]), "unit": "year"})
    for m in _COUNT.finditer(text, start, end):
        num = m.group("num")
        if num.lower() in _NUMBER_WORDS:
            value: float = _NUMBER_WORDS[num.lower()]
        else:
            value = _number(num)
        words = m.group("words").split()
        noun_at = next(
            (
                i
                for i, w in enumerate(words)
                if w.islower() and len(w) > 3 and w.endswith("s") and not w.endswith("ss")
            ),
            None,
        )
        if noun_at is None:
            continue
        noun = words[noun_at]
        figure_end = m.start("words") + len(" ".join(words[: noun_at + 1])) + 1
        add(m.start(), figure_end, {"value": clean_number(value), "unit": noun}, m["qual"])
    found.sort(key=lambda f: f["start"])
    return found


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
