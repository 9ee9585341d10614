"""Verbs: whether a clause has one (`_has_verb`), the verbs of events, a regular past tense,
and what an organisation does in the present ("Nordvik buys most of its oxide from Neo")."""

from __future__ import annotations

import re

_EVENT_VERB = re.compile(
    r"\b(?:released|announced|launched|signed|completed|opened|started|began|begun|commissioned|"
    r"approved|designated|rolled out|ramped up|deployed|reached|hit|posted|reported|raised|"
    r"cut|agreed|won|secured|built|invested|produced|exported|imported|shipped|expanded|"
    r"upgraded|refined|made|achieved|recorded|rose|fell|jumped|soared|increased|decreased|"
    r"grew|declined|boosted|overcame|anchors|operates|makes money available|provides|funds|"
    r"under testing|being tested|in trial|came online|went into operation|entered|"
    r"imposed|banned|restricted|suspended|halted|resumed|filed|sued|fined|published|"
    r"issued|awarded|merged|bought|sold|has just|have just|has now|have now)\b",
    re.I,
)
# A regular past tense ("received", "signed"), not an adjective that merely ends in -ed.
_PAST = re.compile(
    r"(?<![-\w])(?!(?:based|advanced|aimed|expected|planned|indeed|need|speed|red|feed|"
    r"listed|owned|limited|united|related|detailed|dedicated|integrated|automated|"
    r"optimized|optimised)\b)[a-z]{3,}ed\b"
)
# A body's place under another: "reports to the Department of Trade", "belongs to the state"
# (a verb here, a relation of ownership in kinds, a second predicate in clauses).
PLACE_UNDER = r"(?:reports|answers|belongs)\s+to"
_AUX = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|be|been|does|did|do|can)\b|\b[a-z]{3,}ed\b|"
    # a modal before a verb: "the proceeds would cover ...", "it could reach ..."
    r"\b(?:would|could|should|might|must|shall|may)\s+(?:\w+ly\s+)?[a-z]{3,}\b|"
    # a verb after a pronoun: "We expect to take a final investment decision in 2027"
    r"\b(?:[Ww]e|[Tt]hey|I)\s+(?:\w+ly\s+)?[a-z]{3,}\b|"
    r"\b(?:posts|hits|rises|falls|owns|operates|anchors|makes|holds|controls|aims|intends|"
    r"plans|expects|seeks|targets|hopes|wants|employs|supplies|produces|ships|sells|buys|"
    r"sources|uses|mines|processes|refines|separates|exports|imports|builds|runs|"
    rf"{PLACE_UNDER}|"
    # an estimate: "The company puts the cost of building the mine at DKK 3.4 billion"
    r"puts|pegs|values|estimates)\b|"
    # irregular verbs of plain statements: "The 145 tonnes of oxide came from a pilot
    # circuit", "The mine sits 40 km north", "The plant ran at 80%"
    r"\b(?:came|went|ran|took|gave|got|led|paid|spent|kept|held|brought|sought|sat|stood|put|"
    r"became|drew|sent|met|found|lost|saw|chose|comes|goes|takes|gives|pays|spends|sits|"
    r"stands|lies|accounts|amounts|totals|contains|covers|lasts|equals)\b",
    re.I,
)


# What an organisation does, in the present: "Nordvik buys most of its oxide from Neo".
_PRESENT_ACTIVITY = re.compile(
    r"\b(?:buys|sells|supplies|sources|produces|processes|refines|separates|employs|"
    r"purchases)\b"
)


# A step put as an instruction, as a release's "Next steps" list writes it: "Start the feasibility
# study in January 2027", "File the environmental impact study with ... by the third quarter".
IMPERATIVE = re.compile(
    r"^[\"“]?(?:Start|Begin|Commence|Complete|Finali[sz]e|File|Submit|Lodge|Conclude|Sign|"
    r"Secure|Obtain|Deliver|Commission|Launch|Open|Build|Award|Appoint|Publish|Release|Drill|"
    r"Advance|Progress|Expand|Produce|Ship|Negotiate|Select|Raise|Hire|Install|Update|Apply)"
    r"\s+(?:the|a|an|its|our|first|further|all|up|construction|production|drilling|"
    r"negotiations|talks|permitting|feed|offtake)\b"
)


def _has_verb(text: str) -> bool:
    return bool(_AUX.search(text) or _EVENT_VERB.search(text) or IMPERATIVE.match(text.strip()))
