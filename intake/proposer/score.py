"""Check-worthiness: a clause's score and its reasons (`_score`). Clauses under `MIN_SCORE`
are not proposed; one at `_SURE` or above is a clause the proposer is sure of."""

from __future__ import annotations

import re

from claims.figures import QUANTITY_UNITS_EXCLUDED, quantitative
from intake.proposer.entities import EntityRef
from intake.proposer.kinds import _RANK, _RECORD, _VAGUE_AMOUNT
from intake.proposer.names import _unknown_names
from intake.proposer.segment import Segment
from intake.proposer.verbs import _EVENT_VERB, _PAST, _PRESENT_ACTIVITY, _has_verb

MIN_SCORE = 0.4
# A score the proposer is sure of: a clause with a subject, a verb and a figure (a deck's
# verbless "Phase 1 capital cost of ..." scores below it).
_SURE = 0.6


def _score(
    text: str,
    figures: list[dict],
    kind: str,
    kind_reason: str,
    subjects: list[EntityRef],
    subject_how: str,
    seg: Segment,
    unknown: list[str] = (),
    about: str = "",
) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    amounts = [f for f in quantitative(figures) if re.search(r"\d", f["text"])]
    if amounts:
        score += 0.4
        reasons.append("states " + ", ".join(f["text"] for f in amounts[:4]))
    if subjects:
        names = ", ".join(e.name for e in subjects[:3])
        if subject_how == "names":
            score += 0.25
            reasons.append(f"names {names}")
        else:
            score += 0.15
            reasons.append(f"about {names} (referred back to in its paragraph)")
    if unknown:
        score += 0.15 if not subjects else 0.0
        reasons.append(f"names {', '.join(unknown[:3])} (not a known entity: an editor can add it)")
    if not subjects:
        names = [] if unknown else _unknown_names(text)
        if names:
            score += 0.15
            reasons.append(f"names {', '.join(names[:3])} (not a known entity)")
        elif about and not unknown:
            score += 0.15
        if unknown:
            reasons.append("no known subject: the organisations named above are not entities yet")
        elif about:
            reasons.append(
                "no subject: names no one known and refers to no one (its paragraph is about "
                f"{about}: an editor can set it)"
            )
        else:
            reasons.append("no subject: names no one known and refers to no one named before")
    if kind == "ownership":
        score += 0.3
        reasons.append(kind_reason)
    elif kind == "plan":
        score += 0.25
        reasons.append(kind_reason)
    elif seg.forced_reason == "document":
        score += 0.3
        reasons.append("cites a published statement (its existence can be checked)")
    elif seg.forced_reason == "appositive":
        score += 0.15
        reasons.append("a superlative said of a named organisation (it can be checked)")
    elif seg.forced_reason == "deal":
        score += 0.3
        reasons.append("a transaction between named parties (that it happened can be checked)")
    m = _EVENT_VERB.search(text) or _PRESENT_ACTIVITY.search(text)
    if m and kind != "ownership":
        score += 0.3
        reasons.append(f"reports something done ({m.group(0)!r})")
    elif kind != "ownership":
        m = re.search(
            r"\b(?:is|are|was|were|has been|have been|had been)\s+(?:\w+\s+)?\w{3,}ed\b", text
        )
        past = _PAST.search(text)
        if m:
            score += 0.15
            reasons.append(f"states a fact ({m.group(0)!r})")
        elif past:
            score += 0.2
            reasons.append(f"reports something done ({past.group(0)!r})")
    m = _VAGUE_AMOUNT.search(text)
    if m and not amounts:
        score += 0.2
        reasons.append(f"an amount without a figure ({m.group(0)!r}): ask for the number")
    m = _RECORD.search(text)
    rank = None if amounts else _RANK.search(text)
    if rank:
        score += 0.25
        reasons.append(f"states a rank ({rank.group(0)!r})")
    elif m:
        score += 0.15
        reasons.append(f"a record or superlative ({m.group(0)!r})")
    dates = [f for f in figures if f.get("unit") in QUANTITY_UNITS_EXCLUDED]
    if dates:
        score += 0.1
        reasons.append(f"dated ({dates[0]['text']})")
    if not _has_verb(text) and kind != "ownership" and not amounts and not seg.forced_reason:
        score -= 0.2
        reasons.append("no verb: a fragment")
    words = len(text.split())
    if words < 4 and kind != "ownership":
        score -= 0.15
        reasons.append("very short")
    return round(min(max(score, 0.0), 1.0), 2), reasons
