"""The values the ownership importers (ownership/ftm.py, bods.py, gleif.py) and the entity admin
form check alike: LEI and USCC identifiers, percentages, dates.

Each function returns the value parsed (empty input: "" or None) or raises `BadValue`, whose
text says what is wrong with the value in words; the caller puts its own place in front (the
line, the statement, the form field).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum import lei as stdnum_lei
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as NumberInvalid

#: The identifiers checked by python-stdnum (format and check digits): module and name.
IDENTIFIERS = {
    "lei": (stdnum_lei, "LEI"),
    "uscc": (stdnum_uscc, "Unified Social Credit Code"),
}

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.+\-Z]*)?$")
_THOUSANDTH = Decimal("0.001")


class BadValue(ValueError):
    """The value is not what it should be: the text says so with the value; `reason` says why
    without it, and `label` names an identifier's kind ("LEI")."""

    def __init__(self, text: str, *, reason: str = "", label: str = ""):
        super().__init__(text)
        self.reason, self.label = reason or text, label


def checked_identifier(kind: str, value: str) -> str:
    """An LEI or USCC (`kind` "lei"/"uscc") checked for format and check digits, compacted
    (spaces off, upper case); "" when empty."""
    module, label = IDENTIFIERS[kind]
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return module.validate(value)
    except NumberInvalid as exc:
        reason = exc.message.rstrip(".").lower()
        raise BadValue(
            f"{value!r} is not a valid {label} ({reason})",
            reason=reason,
            label=label,
        ) from None


def percentage(value, what: str = "percentage") -> Decimal | None:
    """A share in percent, 0 to 100, to the thousandth: "51", "51 %", 51.5; "0.51" is 0.51%
    (never read as a fraction). None when empty; "NaN", "inf" and words are not numbers."""
    if value is None:
        return None
    text = str(value).strip().rstrip("%").strip()
    if not text:
        return None
    try:
        pct = Decimal(text)
    except InvalidOperation:
        raise BadValue(f"{what} {value!r} is not a number") from None
    if not pct.is_finite():  # "NaN" parses, then fails every comparison
        raise BadValue(f"{what} {value!r} is not a number")
    if not 0 <= pct <= 100:
        raise BadValue(f"{what} {text} is outside 0-100%")
    return pct.quantize(_THOUSANDTH)


def iso_date(value) -> date | None:
    """A date written YYYY-MM-DD (anything after the tenth character, a time, is ignored);
    None when empty."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise BadValue(f"{value!r} is not a date (YYYY-MM-DD)") from None


def partial_date(value: str) -> date | None:
    """A date written YYYY-MM-DD, YYYY-MM or YYYY (a time after it is ignored), as FtM allows:
    a partial date starts the period it names. None when empty."""
    if not value:
        return None
    m = _PARTIAL_DATE.match(value)
    try:
        if m is None:
            raise ValueError
        return date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        raise BadValue(f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)") from None
