"""Hints from archived text: figures found (English and Chinese forms) and echo attribution."""

from __future__ import annotations

import pytest

from claims.hints import compute_hints
from ownership.models import Entity

NRE = Entity(
    name="China Northern Rare Earth (Group) High-Tech Co., Ltd.",
    slug="northern-rare-earth",
    kind=Entity.Kind.SOE,
    aliases=["Northern Rare Earth", "北方稀土"],
)
PROFIT = {"value": 1882.5, "unit": "%"}
PROFIT_RANGE = {"low": 1882.5, "high": 2014.7, "unit": "%"}
OUTPUT = {"value": 60.4, "unit": "%"}


def figure(text: str, fig: dict, origin=NRE) -> dict:
    return compute_hints(text=text, figures=[fig], origin=origin)["figures"][0]


@pytest.mark.parametrize(
    "text",
    [
        "Net profit rose 1,882.5% in the first half.",
        "Net profit rose 1882.5 per cent in the first half.",
        "Net profit rose 1882.5 percent.",
        "Net profit rose 1,882.5 pct.",
        "净利润同比增长1882.5%。",
        "净利润同比增长１８８２.５％。",
    ],
)
def test_figure_is_found_in_its_written_forms(text):
    hint = figure(text, PROFIT)
    assert hint["found"] is True
    assert hint["approximate"] is False
    assert hint["excerpts"]


@pytest.mark.parametrize(
    "text",
    [
        "Profit rose 1,882.5%–2,014.7% year on year.",
        "Profit rose 1,882.5% to 2,014.7%.",
        "Profit rose 1882.5-2014.7 per cent.",
        "净利润同比增长1882.5%至2014.7%。",
    ],
)
def test_range_is_found_when_both_ends_are(text):
    assert figure(text, PROFIT_RANGE)["found"] is True


def test_half_a_range_is_partial_not_found():
    hint = figure("Profit rose as much as 2,014.7%.", PROFIT_RANGE)
    assert (hint["found"], hint["partial"]) == (False, True)


@pytest.mark.parametrize(
    ("text", "fig"),
    [
        ("稀土金属产量同比增长60.4%", OUTPUT),
        ("产量达到8000吨", {"value": 8000, "unit": "t"}),
        ("output reached 8,000 tonnes", {"value": 8000, "unit": "t"}),
        ("新增产能5万吨", {"value": 50000, "unit": "t"}),
        ("营业收入20.5亿元", {"value": 2_050_000_000, "unit": "CNY"}),
        ("revenue of RMB 2.05 billion", {"value": 2_050_000_000, "unit": "CNY"}),
        ("served 1,200 customers", {"value": 1200, "unit": "customers"}),
    ],
)
def test_units_and_multipliers(text, fig):
    assert figure(text, fig)["found"] is True


@pytest.mark.parametrize(
    "text",
    [
        "Output rose 61.4%.",
        "Output rose 60.4 tonnes.",  # same number, another unit
        "Output rose 604%.",
        "In 2060.4 something else",
    ],
)
def test_other_numbers_are_not_the_figure(text):
    assert figure(text, OUTPUT)["found"] is False


def test_a_rounded_figure_is_found_as_approximate():
    hint = figure("Output rose about 60% on the year.", OUTPUT)
    assert (hint["found"], hint["approximate"]) == (True, True)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Output rose 60.4%, the company said.", "the company said"),
        (
            "Output rose 60.4%, according to Northern Rare Earth.",
            "according to Northern Rare Earth",
        ),
        ("Northern Rare Earth said output rose 60.4%.", "Northern Rare Earth said"),
        ("In a filing, it reported output up 60.4%.", "In a filing"),
        ("北方稀土公告称，稀土金属产量同比增长60.4%。", "公告称"),
        ("据公司公告，产量同比增长60.4%。", "公司公告"),
        (
            "The figures were released on Monday. China Northern Rare Earth (Group) High-Tech "
            "Co., Ltd. announced output rose 60.4%.",
            "China Northern Rare Earth (Group) High-Tech Co., Ltd. announced",
        ),
    ],
)
def test_attribution_to_the_origin_is_an_echo_hint(text, phrase):
    hints = compute_hints(text=text, figures=[OUTPUT], origin=NRE)
    assert hints["echo"]["likely"] is True
    assert phrase in hints["echo"]["phrases"]
    assert hints["figures"][0]["attributed"] is True


def test_independent_reporting_is_not_an_echo():
    text = (
        "Customs data compiled by the bank show exports rose 60.4% in the period. "
        "Analysts said prices would stay firm."
    )
    hints = compute_hints(text=text, figures=[OUTPUT], origin=NRE)
    assert hints["figures"][0]["found"] is True
    assert hints["echo"]["likely"] is False


def test_attribution_far_from_the_figure_does_not_count():
    text = (
        "Output rose 60.4% on the year, customs figures show. Prices were firm. Demand held up. "
        "Separately, the company said it would hold its annual meeting in May."
    )
    hints = compute_hints(text=text, figures=[OUTPUT], origin=NRE)
    assert hints["echo"]["likely"] is False


def test_claim_without_figures_looks_for_attribution_anywhere():
    hints = compute_hints(text="据北方稀土披露，公司完成了重组。", figures=[], origin=NRE)
    assert hints["figures_total"] == 0
    assert hints["echo"]["likely"] is True


@pytest.mark.django_db
def test_receiver_stores_hints_on_evidence(django_capture_on_commit_callbacks):
    from claims.receivers import on_snapshot_archived
    from tests.factories import EvidenceFactory

    evidence = EvidenceFactory(
        claim__figures=[PROFIT], snapshot__text="Profit rose 1,882.5%, the company said."
    )

    on_snapshot_archived(sender=None, snapshot=evidence.snapshot)

    evidence.refresh_from_db()
    assert evidence.hints["snapshot"] == evidence.snapshot_id
    assert evidence.hints["figures_found"] == 1
    assert evidence.hints["echo"]["likely"] is True


# --- Cost on long, figure-dense texts ----------------------------------------------------------


@pytest.fixture
def boundary_scans(monkeypatch) -> list[int]:
    """The length of each text whose sentence boundaries were computed (a pass-through spy)."""
    import claims.hints

    real, calls = claims.hints.sentence_bounds, []

    def counted(text: str) -> list[int]:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(claims.hints, "sentence_bounds", counted)
    return calls


def test_sentence_boundaries_are_computed_once_per_text(boundary_scans):
    text = "Output was 5 t. " * 12_500  # 200 KB, 12,500 occurrences of the figure
    figures = [{"value": 5, "unit": "t"}, {"value": 5, "unit": "tonnes"}, OUTPUT]

    hints = compute_hints(text=text, figures=figures, origin=NRE)

    assert boundary_scans == [len(text)]
    assert [h["found"] for h in hints["figures"]] == [True, True, False]
    assert len(hints["figures"][0]["excerpts"]) == 3


def test_only_the_first_occurrences_of_a_figure_are_examined_for_attribution():
    from claims.hints import MAX_HITS_EXAMINED

    filler = "Output was 60.4%. " * MAX_HITS_EXAMINED
    early = compute_hints(text="The company said output was 60.4%. " + filler, figures=[OUTPUT])
    late = compute_hints(text=filler + "The company said output was 60.4%.", figures=[OUTPUT])

    assert early["figures"][0]["attributed"] is True
    assert late["figures"][0]["found"] is True
    assert late["figures"][0]["attributed"] is False


@pytest.mark.django_db(transaction=True)
def test_receiver_computes_hints_outside_any_transaction(monkeypatch):
    from django.db import connection

    import claims.services.archiving
    from claims.receivers import on_snapshot_archived
    from tests.factories import EvidenceFactory

    real, in_transaction = claims.services.archiving.hints_for_text, []

    def watched(**kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(claims.services.archiving, "hints_for_text", watched)
    evidence = EvidenceFactory(
        claim__figures=[PROFIT], snapshot__text="Profit rose 1,882.5%, the company said."
    )

    on_snapshot_archived(sender=None, snapshot=evidence.snapshot)

    evidence.refresh_from_db()
    assert in_transaction == [False]
    assert evidence.hints["figures_found"] == 1
