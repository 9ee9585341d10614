"""Who a clause is about and who said it (intake.proposals, issue 27 items 4 and 7): general
rules of reference, each on a text written for these tests (names are made up)."""

from __future__ import annotations

from intake.proposals import EntityRef, propose

CHINA, KORIN, BALTIC = 1, 2, 3
ENTITIES = [
    EntityRef(CHINA, "People's Republic of China", "state", ("China",)),
    EntityRef(KORIN, "Korin Minerals", "private_company", ("Korin",)),
    EntityRef(BALTIC, "Baltic Magnet Works", "private_company", ("Baltic",)),
]


def find(found, fragment):
    hits = [p for p in found if fragment in p.text]
    assert hits, f"nothing proposed holds {fragment!r}: {[p.text for p in found]}"
    return hits[0]


def test_who_said_it_is_the_origin_not_the_subject_when_what_it_said_is_about_others():
    text = (
        "China exported 20,400 tonnes of magnets in the first half, customs data showed.\n\n"
        "Tarrant Metals Research expects full-year exports of about 41,000 tonnes from China.\n\n"
        "Tarrant Metals Research said it had hired 12 analysts in Singapore.\n\n"
        "Korin said revenue rose 14% to $88 million."
    )
    found = propose(text, entities=ENTITIES)
    forecast = find(found, "full-year exports")
    assert forecast.subjects == [CHINA]
    assert forecast.named_subjects == []  # the forecaster said it; it is not about the forecaster
    assert "Tarrant Metals Research" in forecast.origin_phrase
    # What the sayer says of itself is about the sayer.
    hired = find(found, "hired 12 analysts")
    assert hired.named_subjects == ["Tarrant Metals Research"]
    assert find(found, "revenue rose 14%").subjects == [KORIN]
