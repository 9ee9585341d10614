"""Repeats dropped (`_dedupe`): a clause whose figures a kept clause already states, a bullet
or a table row whose statement a body clause holds, spans that overlap."""

from __future__ import annotations

import re

from claims.figures import figure_covers, figure_key, quantitative
from intake.proposer.proposal import Proposal
from intake.proposer.score import _SURE
from intake.proposer.tables import _from_table
from intake.proposer.wording import stems


def _dedupe(candidates: list[Proposal]) -> list[Proposal]:
    """Drop repeats: figures already stated by a kept clause, or a bullet a body clause holds.
    Body before bullets, exact figures before approximate ones, a clause the proposer is sure
    of before a fragment (a deck's "Phase 1 capital cost of US$640-720 million" restates the
    body's sentence), then text order."""

    def approximate_only(p: Proposal) -> bool:
        amounts = quantitative(p.figures)
        return bool(amounts) and all(f.get("qualifier") in ("nearly", "about") for f in amounts)

    def listed(p: Proposal) -> bool:
        # a bullet or a table row: the body sentence that states its figures is the claim
        # ("The 145 tonnes of oxide came from a pilot circuit ..." after a row "... 145 (90)")
        return p.bullet or _from_table(p)

    order = sorted(
        candidates, key=lambda p: (listed(p), approximate_only(p), p.score < _SURE, p.start)
    )
    kept: list[Proposal] = []
    seen_prints: set[str] = set()
    # the kept clauses' figures, comparable (`figure_key`), with who each was said of
    kept_keys: dict[tuple, list[set]] = {}
    kept_ranges: list[dict] = []
    for p in order:
        if p.fingerprint in seen_prints:
            continue
        amounts = [f for f in quantitative(p.figures) if re.search(r"\d", f["text"])]
        about = {*p.subjects, *p.named_subjects}

        def stated(f, about=about, p=p) -> bool:
            # The same figure said of someone else is no repeat: "Saguenay owns 50% of the
            # joint venture. Tohoku Metal Industries holds the other 50%."
            said_of = kept_keys.get(figure_key(f), [])
            return bool(said_of) and (
                p.bullet or any(not about or not who or about & who for who in said_of)
            )

        if amounts and all(
            stated(f) or any(figure_covers(k, f) for k in kept_ranges) for f in amounts
        ):
            continue
        if p.bullet and any(
            len(stems(p.text) & stems(k.text)) >= 0.6 * max(len(stems(p.text)), 1)
            for k in kept
            if not k.bullet
        ):
            continue
        if any(k.start < p.end and p.start < k.end for k in kept):
            continue  # spans never overlap: the earlier-kept clause wins
        kept.append(p)
        seen_prints.add(p.fingerprint)
        for f in quantitative(p.figures):
            kept_keys.setdefault(figure_key(f), []).append(about)
            if "low" in f and "high" in f:
                kept_ranges.append(f)  # a range covers an approximate figure inside it
    kept.sort(key=lambda p: p.start)
    return kept
