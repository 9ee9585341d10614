"""Hard-wrapped text (wire copy, e-mail, PDFs) gives the proposals its unwrapped form gives, with
offsets into the text as stored (intake.proposer.text.reflow)."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.proposer.propose import propose
from intake.proposer.text import reflow

STORY = """Lanthar Minerals reported record output for the third quarter on Tuesday.

Lanthar Minerals told investors this week that net profit attributable to shareholders for the first nine months climbed by between 412.5% and 440.1% from a year earlier, to between 1.2 billion and 1.3 billion yuan.

The company said separation capacity at its Baotou site reached 18,000 tonnes a year, up 12% on 2024, and that a new magnet line would start production in March 2026.

Exports of oxide to Japan fell 7.5% in the period, to 2,300 tonnes, the customs office said.
"""


def wrap(text: str, width: int) -> str:
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(textwrap.fill(p, width) for p in paragraphs) + "\n"


def words(text: str) -> str:
    return " ".join(re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text).split())


def proposal_words(text: str) -> list[str]:
    return [words(p.text) for p in propose(text)]


def test_the_unwrapped_story_has_its_claims():
    found = proposal_words(STORY)
    assert any(f.startswith("Lanthar Minerals told investors") for f in found), found
    assert any("18,000 tonnes" in f for f in found), found


def test_a_wrapped_paragraphs_first_line_is_not_taken_for_a_heading():
    wrapped = wrap(STORY, 64)
    found = proposal_words(wrapped)
    assert not any(f.startswith("shareholders") for f in found), found
    assert any(f.startswith("Lanthar Minerals told investors") for f in found), found


@settings(max_examples=25, deadline=None)
@given(width=st.integers(min_value=40, max_value=110))
def test_hard_wrapped_text_gives_the_same_proposals_with_offsets_into_the_stored_text(width):
    wrapped = wrap(STORY, width)
    assert proposal_words(wrapped) == proposal_words(STORY)
    for p in propose(wrapped):
        assert wrapped[p.start : p.end] == p.text


def test_a_word_hyphenated_at_a_line_end_is_joined_and_offsets_stay_exact():
    wrapped = wrap(STORY, 72)
    at = wrapped.index("separation")
    hyphenated = wrapped[:at] + "sepa-\nration" + wrapped[at + len("separation") :]
    assert reflow(hyphenated).text.count("separation") == 1
    assert proposal_words(hyphenated) == proposal_words(STORY)
    for p in propose(hyphenated):
        assert hyphenated[p.start : p.end] == p.text


def test_a_compound_hyphen_at_a_line_end_is_kept():
    text = "The group is state-\nowned and said on Monday that output rose 12% to 4,000 tonnes.\n"
    assert "state-owned" in " ".join(reflow(text).text.split()).replace("- ", "-")


def test_a_hyphen_before_listed_based_or_a_name_led_is_a_compound_s():
    text = (
        "Kigezi Rare Earths, a unit of London-\nlisted Ankole Minerals, and a Perth-\nbased "
        "partner signed a Japan-\nled deal, cancel-\nled in May, on the produc-\ntion line.\n"
    )
    joined = " ".join(reflow(text).text.split()).replace("- ", "-")
    for kept in ("London-listed", "Perth-based", "Japan-led"):
        assert kept in joined
    # words broken at a line end are joined whole, "-led" after no name among them
    assert "cancelled in May" in joined and "production line" in joined


def test_text_whose_lines_are_paragraphs_is_left_alone():
    tidy = STORY.replace("\n\n", "\n")
    assert reflow(tidy).text == tidy


def test_a_short_line_after_a_finished_sentence_is_a_heading_not_part_of_the_paragraph():
    column = (
        "At 30 September the company had\nA$63.2 million of cash and no debt.\nRisks\n"
        "The second leach pad could take\nlonger than planned to reach its\ndesign recoveries.\n"
    )
    flowed = reflow(column).text
    assert "debt.\nRisks\nThe" in flowed
    assert any(
        w.startswith("At 30 September the company had A$63.2 million")
        for w in proposal_words(column)
    )


def test_the_company_after_a_guessed_paragraph_break_is_the_company_just_named():
    """A hard-wrapped column whose sentence ends short of the margin: the reflow keeps the
    break (it may end a paragraph), but that is a guess, so "The company" opening the next line
    still refers to the company the sentence before named, not to the article's main company."""
    from intake.proposer.entities import EntityRef

    main = EntityRef(1, "Orsk Rare Earths", "private_company", ("Orsk",))
    column = (
        "Orsk Rare Earths raised output by 12% in the year.\n\n"
        "Orsk Rare Earths shipped 3,100 tonnes of oxide to Japan.\n\n"
        "Buyers economise\n"
        "Japanese magnet makers, as we see it,\nhave chosen to economise rather than\n"
        "to hunt for new tonnes. Tsurugi\nMagnetics, a Fukui-based maker of\n"
        "sintered magnets, said its dysprosium\nuse fell 22% in the six months\n"
        "from a year earlier.\n"
        "The company expects to cut its heavy\nrare earth purchases by a further 15%\n"
        "in the fiscal year to March 2028.\n"
    )
    reflowed = reflow(column)
    assert "earlier.\nThe company" in reflowed.text  # the break is kept ...
    assert column.index("The company") in reflowed.guessed  # ... as a guess
    cut = next(p for p in propose(column, entities=[main]) if "further 15%" in p.text)
    assert cut.subjects == []
    assert cut.named_subjects == ["Tsurugi Magnetics"]
    # After a blank line (a paragraph the writer ended) the rule of the article's company holds.
    ended = column.replace("earlier.\nThe company", "earlier.\n\nThe company")
    assert column.index("The company") + 1 not in reflow(ended).guessed


def test_a_bound_prefix_broken_at_a_line_end_is_one_word_and_a_name_keeps_its_hyphen():
    text = (
        "The un-\nlisted unit and an under-\nfunded fund were cor-\nrelated, and an Éramet-\n"
        "led group signed a term sheet in May for 1,200 tonnes a year.\n"
    )
    joined = " ".join(reflow(text).text.split()).replace("- ", "-")
    assert "unlisted" in joined and "underfunded" in joined and "correlated" in joined
    assert "Éramet-led" in joined
