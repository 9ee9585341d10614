"""One figure reader (claims.figures) for proposals, evidence hints and matching: Chinese
multipliers, currencies before or after the number, and one comparable form of every unit."""

from __future__ import annotations

import pytest

from claims import hints
from claims.figures import canonical_unit, figure_key, index_rows, quantities
from claims.stated_figures import parse_figures
from intake.proposer import evaluate as proposals


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("revenue of yuan 1.2 billion", 1_200_000_000, "CNY"),
        ("revenue of RMB 1.2 billion", 1_200_000_000, "CNY"),
        ("revenue of 1.2 billion yuan", 1_200_000_000, "CNY"),
        ("净利润12亿元", 1_200_000_000, "CNY"),
        ("产量5万吨", 50_000, "t"),
        ("US$400 million", 400_000_000, "USD"),
        ("shipped 12,500 tonnes", 12_500, "t"),
        ("about 3 Mt", 3_000_000, "t"),
    ],
)
def test_amounts_in_every_spelling(text, value, unit):
    [figure] = parse_figures(text)
    assert (figure["value"], figure["unit"]) == (value, unit)
    assert text[figure["start"] : figure["end"]] == figure["text"]


def test_the_proposer_and_the_hints_read_through_the_same_module():
    assert proposals.parse_figures is parse_figures
    assert hints.quantities is quantities


def test_one_comparable_form_per_unit():
    assert {canonical_unit(u) for u in ("t", "tonnes", "tons", "吨", "tonne")} == {"t"}
    assert {canonical_unit(u) for u in ("%", "per cent", "percent", "pct")} == {"%"}
    assert {canonical_unit(u) for u in ("CNY", "yuan", "RMB", "元")} == {"CNY"}
    assert figure_key({"value": 12500, "unit": "tonnes"}) == figure_key(
        {"value": 12500, "unit": "t"}
    )


def test_index_rows_are_amounts_not_dates():
    figures = parse_figures("climbed by between 1,882.5% and 2,014.7% in the first half of 2025")
    assert index_rows(figures) == [("%", 1882.5, 2014.7)]
    assert index_rows([{"value": "n/a", "unit": "t"}, "junk", {"value": 40, "unit": "%"}]) == [
        ("%", 40.0, 40.0)
    ]


def test_the_currencies_of_mining_countries_are_read():
    from claims.stated_figures import parse_figures

    def read(text):
        return [(f["value"], f["unit"]) for f in parse_figures(text)]

    assert read("The expansion is estimated to cost R2.1 billion") == [(2100000000, "ZAR")]
    assert read("to raise about N$420 million a year") == [(420000000, "NAD")]
    assert read("The refinery cost 1.1 billion ringgit to build") == [(1100000000, "MYR")]
    assert read("R&D spending rose sharply") == []
    # ISO codes before the amount, and currencies named in words after it
    assert read("The company puts the cost at DKK 3.4 billion") == [(3400000000, "DKK")]
    assert read("a KRW 1.2 trillion loan") == [(1200000000000, "KRW")]
    assert read("paying 410 million reais for new shares") == [(410000000, "BRL")]
    assert read("net profit of 1.12 trillion rupiah") == [(1120000000000, "IDR")]
    assert read("a TSh 60 billion loan") == [(60000000000, "TZS")]
    assert read("the won fell against the dollar") == []


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("an initial capital cost of US$285-310 million", 285_000_000, 310_000_000, "USD"),
        ("between A$1.2 billion and A$1.5 billion", 1_200_000_000, 1_500_000_000, "AUD"),
        ("$1.5bn-2bn of funding", 1_500_000_000, 2_000_000_000, "USD"),
        ("magnet sales of between 24,000 and 26,000 tonnes", 24_000, 26_000, "t"),
        ("a capacity of 5,000–6,000 tonnes a year", 5_000, 6_000, "t"),
    ],
)
def test_ranges_of_money_and_tonnes_keep_both_ends_and_the_multiplier(text, low, high, unit):
    [figure] = parse_figures(text)
    assert (figure["low"], figure["high"], figure["unit"]) == (low, high, unit)
    assert text[figure["start"] : figure["end"]] == figure["text"]


@pytest.mark.parametrize(
    "text",
    [
        "output rose from 2,000 to 2,100 tonnes",
        "it sold 1,200 and 3,400 tonnes",
        "cost $12 million - the",
    ],
)
def test_a_change_or_a_list_is_no_range(text):
    assert not [f for f in parse_figures(text) if "low" in f]
