"""Matching proposals to existing claims (`match_claim`): the same figures about the same
subject, or close wording. `ClaimRef` is an existing claim as the matcher sees it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from claims.figures import figure_covers, quantitative
from claims.figures import label as figure_hint_label
from intake.proposer.proposal import Proposal
from intake.proposer.wording import wording_similarity


@dataclass(frozen=True)
class ClaimRef:
    """An existing claim as the matcher sees it."""

    id: int
    text: str
    figures: tuple = ()
    subjects: frozenset[int] = frozenset()


def _distinctive(figure: dict) -> bool:
    """A figure specific enough to identify a statement on its own: a range, a number with
    decimals, or three significant digits or more ("1,882.5%–2,014.7%", "$258 million",
    "12,500 t"; not "40%" or "$5 million")."""
    if "low" in figure and "high" in figure:
        return True
    try:
        value = abs(float(figure.get("value")))
    except (TypeError, ValueError):
        return False
    if not value.is_integer():
        return True
    digits = str(int(value)).rstrip("0")
    return len(digits) >= 3


def match_claim(
    proposal: Proposal,
    claims: Iterable[ClaimRef],
    *,
    min_similarity: float = 0.8,
    other_subject_similarity: float = 0.9,
) -> tuple[int, str] | None:
    """The existing claim that states what `proposal` states, and why in words; None if none.

    - **The same figures**: every amount of the proposal is one of the claim's figures (or
      inside its range when the proposal says "nearly"), about the same subject, or with one
      side's subject not recognised; with no shared subject the figures must identify the
      statement (`_distinctive`) or the wording be at least half alike. Said as "same
      figures 1,882.5%–2,014.7%, subject not recognised".
    - **Close wording**: `wording_similarity` (rapidfuzz) at least `min_similarity`, or
      `other_subject_similarity` when the two name different subjects.

    Of several matches the closest wins (figures before wording).
    """
    amounts = [f for f in quantitative(proposal.figures) if re.search(r"\d", f.get("text", "0"))]
    subjects = set(proposal.subjects)
    best: tuple[float, int, str] | None = None
    for claim in claims:
        similarity = wording_similarity(proposal.text, claim.text)
        shared = subjects & set(claim.subjects)
        reason = ""
        claim_figures = list(claim.figures)
        same_figures = bool(
            amounts
            and claim_figures
            and all(
                any(figure_covers(c, f) or figure_covers(f, c) for c in claim_figures)
                for f in amounts
            )
        )
        labels = ", ".join(_figure_text(f) for f in amounts)
        if same_figures and shared:
            reason = f"same figures {labels} about the same subject"
        elif (
            same_figures
            and not (subjects and claim.subjects)
            and (any(_distinctive(f) for f in amounts) or similarity >= 0.5)
        ):
            who = "subject not recognised" if not subjects else "the claim names no subject"
            reason = f"same figures {labels}, {who}"
        if reason:
            similarity = 1.0 + similarity  # figures before wording
        else:
            needed = (
                min_similarity
                if (shared or not subjects or not claim.subjects)
                else other_subject_similarity
            )
            if similarity >= needed:
                reason = f"close wording (similarity {similarity:.2f})"
        if reason and (best is None or similarity > best[0]):
            best = (similarity, claim.id, reason)
    return (best[1], best[2]) if best else None


def _figure_text(figure: dict) -> str:
    """ "1,882.5%–2,014.7%", "258,000,000 USD" as the reasons say it."""
    return figure_hint_label(figure)
