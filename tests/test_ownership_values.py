"""ownership.values: the identifiers, percentages and dates every ownership import and the
entity form check alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ownership.values import BadValue, checked_identifier, iso_date, partial_date, percentage

LEI = "529900T8BM49AURSDO55"
USCC = "91150200701464207M"


def test_identifiers_are_checked_and_compacted():
    assert checked_identifier("lei", f" {LEI.lower()} ") == LEI
    assert checked_identifier("lei", "5299 00T8 BM49 AURS DO55") == LEI
    assert checked_identifier("uscc", USCC) == USCC
    assert checked_identifier("lei", "") == checked_identifier("uscc", "  ") == ""


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("lei", "529900T8BM49AURSDO56", "checksum or check digit is invalid"),  # last digit
        ("lei", "5299007KRAS", "checksum"),  # too short: stdnum checks the digits only
        ("uscc", "91150200701463622Q", "invalid"),
    ],
)
def test_a_bad_identifier_says_why(kind, value, reason):
    with pytest.raises(BadValue) as bad:
        checked_identifier(kind, value)
    assert reason in bad.value.reason
    label = {"lei": "LEI", "uscc": "Unified Social Credit Code"}[kind]
    assert bad.value.label == label
    assert str(bad.value).startswith(f"{value!r} is not a valid {label} (")


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("51", Decimal("51.000")),
        ("51 %", Decimal("51.000")),
        ("51%", Decimal("51.000")),
        ("0.51", Decimal("0.510")),  # 0.51%, never read as a fraction
        (51.5, Decimal("51.500")),
        (100, Decimal("100.000")),
        ("33.33333", Decimal("33.333")),
        ("0", Decimal("0.000")),
        (None, None),
        ("", None),
        (" % ", None),
    ],
)
def test_percentages(value, parsed):
    assert percentage(value) == parsed


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "percentage 'NaN' is not a number"),
        ("nan %", "percentage 'nan %' is not a number"),
        ("Infinity", "percentage 'Infinity' is not a number"),
        ("half", "percentage 'half' is not a number"),
        ("140", "percentage 140 is outside 0-100%"),
        (-1, "percentage -1 is outside 0-100%"),
    ],
)
def test_what_is_not_a_percentage(value, message):
    with pytest.raises(BadValue, match=message):
        percentage(value)


def test_a_percentage_is_named_as_the_caller_names_it():
    with pytest.raises(BadValue, match="share exact 'NaN' is not a number"):
        percentage("NaN", "share exact")


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("2024-03-31", date(2024, 3, 31)),
        ("2024-03-31T12:00:00Z", date(2024, 3, 31)),  # GLEIF and BODS times are cut off
        ("2024-03-31T00:00:00.000+08:00", date(2024, 3, 31)),
        ("", None),
        (None, None),
    ],
)
def test_iso_dates(value, parsed):
    assert iso_date(value) == parsed


@pytest.mark.parametrize("value", ["spring 2020", "2024", "2024-02-30", "31/03/2024"])
def test_what_is_not_an_iso_date(value):
    with pytest.raises(BadValue, match=r"is not a date \(YYYY-MM-DD\)"):
        iso_date(value)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("2024", date(2024, 1, 1)),  # a partial date starts the period it names
        ("2024-03", date(2024, 3, 1)),
        ("2024-03-31", date(2024, 3, 31)),
        ("2024-03-31T12:00:00", date(2024, 3, 31)),
        ("2024-03-31 12:00", date(2024, 3, 31)),
        ("", None),
    ],
)
def test_partial_dates(value, parsed):
    assert partial_date(value) == parsed


@pytest.mark.parametrize("value", ["24", "2024-13", "2024-02-30", "March 2024", "2024/03/31"])
def test_what_is_not_a_partial_date(value):
    with pytest.raises(BadValue, match=r"is not a date \(YYYY-MM-DD, YYYY-MM or YYYY\)"):
        partial_date(value)
