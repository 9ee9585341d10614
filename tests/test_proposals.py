"""The claim proposer (intake.proposer): figures, sentences and clauses, opinion left out,
offsets that always match the text, and an article it has never seen."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.figures import stored_figures
from claims.stated_figures import parse_figures
from intake.proposer.entities import EntityRef
from intake.proposer.matching import ClaimRef, match_claim
from intake.proposer.propose import propose
from intake.proposer.sentences import sentences
from intake.proposer.wording import token_set_similarity


def figures_of(text: str) -> list[dict]:
    return [
        {k: v for k, v in f.items() if k not in ("start", "end", "text")}
        for f in parse_figures(text)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "soared between 1,882.5% and 2,014.7% year-over-year",
            [{"low": 1882.5, "high": 2014.7, "unit": "%"}],
        ),
        (
            "a net profit increase of 1,882.5% to 2,014.7%",
            [{"low": 1882.5, "high": 2014.7, "unit": "%"}],
        ),
        ("boosting production by nearly 40%", [{"value": 40, "unit": "%", "qualifier": "nearly"}]),
        ("hit over 56% of its targets", [{"value": 56, "unit": "%", "qualifier": "more than"}]),
        ("a project for 8,000 tons of metals", [{"value": 8000, "unit": "t"}]),
        ("A new 50,000-ton rapid-quenching alloy project", [{"value": 50000, "unit": "t"}]),
        ("capacity of 1.5 million tonnes a year", [{"value": 1500000, "unit": "t"}]),
        ("an investment of RMB 1.2 billion", [{"value": 1200000000, "unit": "CNY"}]),
        ("a grant of $3.5 million", [{"value": 3500000, "unit": "USD"}]),
        ("revenue of 5 billion yuan", [{"value": 5000000000, "unit": "CNY"}]),
        ("a US$2.3bn loan", [{"value": 2300000000, "unit": "USD"}]),
        ("60 to 70 per cent of supply", [{"low": 60, "high": 70, "unit": "%"}]),
        (
            "targeting over 30 new customers",
            [{"value": 30, "unit": "customers", "qualifier": "more than"}],
        ),
        ("in the first half of 2025", [{"value": "2025-H1", "unit": "half-year"}]),
        ("results for H2 2024", [{"value": "2024-H2", "unit": "half-year"}]),
        ("in the third quarter of 2023", [{"value": "2023-Q3", "unit": "quarter"}]),
        ("published on July 21, 2025", [{"value": "2025-07-21", "unit": "date"}]),
        ("by 2026", [{"value": 2026, "unit": "year"}]),
        ("21st-century supply chains", []),
        ("year-on-year growth", []),
    ],
)
def test_figures_are_parsed_from_tricky_forms(text, expected):
    assert figures_of(text) == expected


def test_figure_offsets_point_at_the_figure_text():
    text = "Output rose nearly 40% to 8,000 tons, worth RMB 1.2 billion, in the first half of 2025."
    for figure in parse_figures(text):
        assert text[figure["start"] : figure["end"]] == figure["text"]


def test_stored_figures_keep_amounts_and_qualifiers_but_not_dates():
    assert stored_figures(parse_figures("nearly 40% in the first half of 2025")) == [
        {"value": 40, "unit": "%", "measure": "(nearly)"}
    ]


def test_sentence_splitter_keeps_company_suffixes_and_decimals_together():
    text = (
        "Baogang owns China Northern Rare Earth Group High-Tech Co., Ltd. (opens in a new tab), "
        "which is listed. Output rose 60.4% in the U.S. market. Is that all? Yes."
    )
    spans = [text[s:e] for s, e in sentences(text, 0, len(text))]
    assert spans == [
        "Baogang owns China Northern Rare Earth Group High-Tech Co., Ltd. (opens in a new tab), "
        "which is listed.",
        "Output rose 60.4% in the U.S. market.",
        "Is that all?",
        "Yes.",
    ]


# --- An article the proposer has never seen (written for this test) ---------------------------

UNSEEN = """Lynas Extends Its Lead Outside China

Lynas Rare Earths said on Tuesday that its Kalgoorlie processing plant produced 1,200 tonnes of mixed rare earth carbonate in the June quarter, up 35% from a year earlier. The company expects to spend A$500 million on the expansion of its Mt Weld mine by 2026.

According to the Malaysian environment ministry, the Kuantan plant received a three-year operating licence in March 2023. Japan's JOGMEC holds a stake in Lynas through a loan facility, and Lynas is listed on the Australian Securities Exchange.

Is this the end of China's grip on the market? Analysts say it could be a game changer for Western supply chains. Heavy rare earth separation in Texas is planned to start in 2026, Lynas said. This is a wake-up call for Beijing.

Revenue fell to A$112.5 million in the quarter, according to Reuters.

Leave a Reply
"""
LYNAS, JOGMEC, REUTERS, MINISTRY, PRC, OUTLET = 1, 2, 3, 4, 5, 9
ENTITIES = [
    EntityRef(LYNAS, "Lynas Rare Earths Ltd", "private_company", ("Lynas Rare Earths", "Lynas")),
    EntityRef(
        JOGMEC, "Japan Organization for Metals and Energy Security", "government_body", ("JOGMEC",)
    ),
    EntityRef(REUTERS, "Reuters", "media_outlet"),
    EntityRef(
        MINISTRY,
        "Ministry of Environment (Malaysia)",
        "government_body",
        ("Malaysian environment ministry",),
    ),
    EntityRef(PRC, "People's Republic of China", "state", ("China", "Beijing")),
    EntityRef(OUTLET, "Rare Earth Exchanges", "media_outlet", ("REEx",)),
]


@pytest.fixture(scope="module")
def unseen():
    return propose(
        UNSEEN, entities=ENTITIES, title="Lynas Extends Its Lead Outside China", outlet_id=OUTLET
    )


def _one(proposals, needle: str):
    found = [p for p in proposals if needle in p.text]
    assert len(found) == 1, f"{needle!r} in {[p.text for p in proposals]}"
    return found[0]


def test_an_unseen_article_yields_its_checkable_statements(unseen):
    output = _one(unseen, "1,200 tonnes")
    assert output.kind == "figure"
    assert {(f["unit"], f.get("value")) for f in output.figures} >= {("t", 1200), ("%", 35)}
    assert (output.origin_kind, output.origin_id) == ("attributed", LYNAS)
    assert output.subjects == [LYNAS]
    assert any("1,200 tonnes" in r for r in output.reasons)

    licence = _one(unseen, "operating licence")
    assert licence.text.startswith("the Kuantan plant")  # the attribution lead is not the claim
    assert (licence.kind, licence.origin_id) == ("event", MINISTRY)

    stake = _one(unseen, "JOGMEC holds a stake")
    assert stake.kind == "ownership" and set(stake.subjects) >= {JOGMEC, LYNAS}
    assert (stake.origin_kind, stake.origin_id) == ("own_voice", OUTLET)

    texas = _one(unseen, "Texas")
    assert (texas.kind, texas.origin_id) == ("plan", LYNAS)

    revenue = _one(unseen, "Revenue fell")
    assert {"value": 112500000, "unit": "AUD"}.items() <= revenue.figures[0].items()
    assert (revenue.origin_phrase, revenue.origin_id) == ("according to Reuters", REUTERS)

    assert _one(unseen, "A$500 million").kind in ("figure", "plan")
    assert len(unseen) == 6


def test_rhetoric_questions_and_furniture_of_the_unseen_article_are_not_proposed(unseen):
    proposed = " ".join(p.text for p in unseen)
    for phrase in (
        "game changer",
        "wake-up call",
        "Is this the end",
        "Leave a Reply",
        "Lynas Extends",
    ):
        assert phrase not in proposed


@pytest.mark.parametrize(
    "sentence",
    [
        "For Western economies, this is a warning shot.",
        "The MP deal is a start, the first inning in a nine-inning game.",
        "What is driving the surge?",
        "Any news from state-backed entities should be vetted by many sources.",
        "The U.S. may face widening gaps unless policy catches up.",
        "REEx suggests this industrial policy is nowhere near where it should be.",
        "This highlights China's comprehensive approach to rare earth development.",
        "Beijing is betting big that whoever controls innovation will control supply chains.",
    ],
)
def test_opinion_and_rhetoric_are_not_proposed(sentence):
    assert propose(f"Heading\n\n{sentence}\n", entities=ENTITIES) == []


def test_a_highlights_bullet_repeating_the_body_is_proposed_once():
    text = (
        "Title\n\nHighlights\n\n  • Lynas lifted output by 35% and revenue by 12.5%.\n\n"
        "Lynas said output rose 35% in the quarter. Revenue grew 12.5% on higher prices.\n"
    )
    proposals = propose(text, entities=ENTITIES)
    assert [p.text for p in proposals] == [
        "Lynas said output rose 35% in the quarter.",
        "Revenue grew 12.5% on higher prices.",
    ]


def test_one_sentence_with_two_figures_joined_by_while_gives_two_claims():
    text = "Lynas metals output jumped 60.4% year-on-year, while functional materials rose 12.3%.\n"
    proposals = propose(text, entities=ENTITIES)
    assert [p.text for p in proposals] == [
        "Lynas metals output jumped 60.4% year-on-year",
        "functional materials rose 12.3%.",
    ]
    assert proposals[1].subjects == [LYNAS]  # the second clause refers back


# --- Offsets always match the text --------------------------------------------------------------

FRAGMENTS = [
    "Lynas said output rose 35%",
    " in the first half of 2025.",
    " According to Reuters, revenue fell to A$112.5 million.",
    " (opens in a new tab)",
    " Is this the end?",
    ", while costs rose nearly 40%",
    " — underscoring its strength",
    "\n\n",
    "\n  • ",
    " Subsidiaries like JOGMEC and Lynas ramped up output",
    " (also a shareholder of Lynas Rare Earths Ltd.)",
    " which is listed.",
    " Co., Ltd.",
    ": net profit soared between 1,882.5% and 2,014.7%",
    " the Lynas JOGMEC deal",
    "\u00a0",
    " A new 50,000-ton plant is under construction.",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25))
def test_every_proposal_is_exactly_its_span_of_the_text(parts):
    text = "".join(parts)
    proposals = propose(text, entities=ENTITIES)
    last_end = -1
    for p in proposals:
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == p.text
        assert p.start >= last_end  # spans never overlap
        last_end = p.end
        for figure in p.figures:
            assert text[figure["start"] : figure["end"]] == figure["text"]
            assert p.start <= figure["start"] and figure["end"] <= p.end
        assert 0 <= p.score <= 1


# --- Matching existing claims -------------------------------------------------------------------


def _proposal(text: str, subjects=(LYNAS,)):
    [p] = propose(text + "\n", entities=ENTITIES)
    p.subjects = list(subjects)
    return p


def test_the_same_figure_about_the_same_subject_matches_an_existing_claim():
    existing = ClaimRef(
        id=7,
        text="Output went up by 35 percent, Lynas said",
        figures=({"value": 35, "unit": "%"},),
        subjects=frozenset({LYNAS}),
    )
    other_subject = ClaimRef(
        id=8,
        text="Costs rose 35%",
        figures=({"value": 35, "unit": "%"},),
        subjects=frozenset({JOGMEC}),
    )
    hit = match_claim(
        _proposal("Lynas said its output rose 35% in the quarter."), [other_subject, existing]
    )
    assert hit is not None and hit[0] == 7 and "same figures" in hit[1]


def test_a_nearly_figure_inside_a_stated_range_matches():
    existing = ClaimRef(
        id=3,
        text="net profit rose 1,882.5% to 2,014.7%",
        figures=({"low": 1882.5, "high": 2014.7, "unit": "%"},),
        subjects=frozenset({LYNAS}),
    )
    assert (
        match_claim(_proposal("Lynas posted a profit jump of nearly 2000% this year."), [existing])[
            0
        ]
        == 3
    )


def test_close_wording_matches_and_different_statements_do_not():
    existing = ClaimRef(
        id=5,
        text="Lynas rolled out automation across its metal production lines",
        subjects=frozenset({LYNAS}),
    )
    assert (
        match_claim(
            _proposal("Automation was rolled out across Lynas metal production lines."), [existing]
        )[0]
        == 5
    )
    assert (
        match_claim(_proposal("Lynas signed a supply deal with a Japanese buyer."), [existing])
        is None
    )
    assert token_set_similarity("a b c", "") == 0.0
