"""Figures a clause states (`parse_figures`): the amounts, ranges and dates of a span of text,
each a dict with `value` or `low`/`high`, a `unit` ("%", "t", a currency code, a counted noun,
"year", "half-year", "quarter", "date"), the `text` read and its offsets, and a `qualifier`
("nearly", "more than") when given. The proposer and ingest read clauses through it; the
comparable form of a figure, its label and the hints' `quantities` are claims.figures'.
"""

from __future__ import annotations

import datetime
import re

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
    # currencies named in words after the amount: "410 million reais", "1.12 trillion rupiah"
    "reais": "BRL",
    "real": "BRL",
    "rupiah": "IDR",
    "won": "KRW",
    "tenge": "KZT",
    "dong": "VND",
    "kroner": "DKK",
    "kronor": "SEK",
    "shillings": "TZS",
    "tsh": "TZS",
    "pesos": "MXN",
}
# ISO 4217 codes written before an amount ("DKK 3.4 billion", "KRW 1.2 trillion"): upper case
# only, so a word is never read as one.
_ISO_CODES = (
    "DKK|NOK|SEK|CHF|JPY|KRW|INR|IDR|MYR|ZAR|BRL|NAD|KZT|VND|TZS|MXN|CLP|PEN|ARS|PHP|THB|"
    "SGD|NZD|MNT|MZN|MWK|ZMW|TRY|SAR|AED|PLN|CZK|HUF|RUB|UZS|LAK|MMK|PKR|KES|GHS|NGN|EGP|MAD"
)
_CUR_PREFIX = (
    r"(?P<cur>RMB|CNY|USD|EUR|GBP|AUD|CAD|HKD|US\$|A\$|C\$|HK\$|NZ\$|N\$|S\$|R\$|\$|€|£|¥|₹|"
    r"人民币|(?<![\w$])(?-i:R|RM)(?=\d)|(?-i:TSh)(?=\s?\d)|(?<![\w$])(?-i:"
    + _ISO_CODES
    + r")(?=\s?\d)|"
    r"(?:yuan|renminbi|dollars|euros)(?=\s?\d))"
)
_CUR_SUFFIX = (
    r"(?P<cur2>yuan|renminbi|RMB|CNY|dollars|USD|euros|EUR|ringgit|rand|rupees|yen|reais|"
    r"rupiah|won|tenge|dong|kroner|kronor|shillings|pesos|美元|人民币|元)"
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
