"""schema.org ClaimReview JSON-LD for a decided claim (https://schema.org/ClaimReview).

How statuses map to ratings (docs/api.md says the same for partners): a 1–4 scale where higher
means better supported; `alternateName` carries our label, which is what readers see.

| status                  | ratingValue | alternateName           |
|-------------------------|-------------|-------------------------|
| disputed                | 1           | Disputed                |
| unverifiable            | 2           | Unverifiable            |
| state_sourced           | 3           | State-sourced           |
| independently_verified  | 4           | Independently verified  |

`unreviewed` and `in_review` have no verdict, hence no ClaimReview (`ClaimReviewUnavailable`).
"""

from __future__ import annotations

from typing import Any

from claims.models import Claim, StatusChange

PUBLISHER = {
    "@type": "Organization",
    "name": "Rare Earth Exchanges (REEx)",
    "url": "https://rareearthexchanges.com/",
}

RATINGS: dict[str, int] = {
    Claim.Status.DISPUTED: 1,
    Claim.Status.UNVERIFIABLE: 2,
    Claim.Status.STATE_SOURCED: 3,
    Claim.Status.INDEPENDENTLY_VERIFIED: 4,
}
WORST, BEST = 1, 4

#: Each status in a reader's words (the public report and its ClaimReview): what the verdict
#: means, with none of the desk's working.
READER_VERDICTS: dict[str, str] = {
    Claim.Status.INDEPENDENTLY_VERIFIED: (
        "Confirmed by sources whose owners have nothing in common with the claimant's, each"
        " kept as an archived copy."
    ),
    Claim.Status.STATE_SOURCED: (
        "Only the claimant's own state apparatus backs this: the company itself, its state"
        " owners or state media of the same state. No independent source confirms it yet."
    ),
    Claim.Status.DISPUTED: "A source independent of the claimant contradicts this.",
    Claim.Status.UNVERIFIABLE: "Our reviewers found nothing that settles this either way.",
    Claim.Status.IN_REVIEW: "Being checked now: no verdict yet.",
    Claim.Status.UNREVIEWED: "Not checked yet: no verdict.",
}


class ClaimReviewUnavailable(Exception):
    """The claim has no verdict yet."""


def latest_decision(claim: Claim) -> StatusChange | None:
    """The audit row that set the claim's current status (one query)."""
    return (
        StatusChange.objects.filter(claim_id=claim.pk, to_status=claim.status)
        .order_by("-created_at", "-id")
        .first()
    )


def claim_review(
    *, claim: Claim, url: str, decision: StatusChange | None, public: bool = False
) -> dict[str, Any]:
    """The ClaimReview for `claim` (its article and origin loaded), published at `url`.

    `ratingExplanation` is the decision's rationale followed by the suggestion rule's reasons as
    recorded in the audit row when the verdict was given (not as they read today). `public`
    (the reader's report): the rationale and the verdict in a reader's words only, none of
    the rule's working (which names failed snapshots and unclassified domains).
    """
    if claim.status not in RATINGS:
        raise ClaimReviewUnavailable(
            f"Claim {claim.pk} has no verdict yet (status: {claim.get_status_display()}); "
            "ClaimReview markup exists once a reviewer has decided it."
        )
    explanation: list[str] = []
    if decision is not None and decision.rationale:
        explanation.append(decision.rationale.strip())
    if public:
        explanation.append(READER_VERDICTS[claim.status])
    elif decision is not None:
        explanation.extend(str(r) for r in (decision.extra or {}).get("reasons", []))
        if decision.override:
            explanation.append("An editor set this verdict over the suggestion rule.")
    published = (decision.created_at if decision else claim.updated_at).date().isoformat()
    article = claim.article
    appearance: dict[str, Any] = {"@type": "NewsArticle", "headline": article.title}
    if article.url:
        appearance["url"] = article.url
    if article.published_on:
        appearance["datePublished"] = article.published_on.isoformat()
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.text,
        "datePublished": published,
        "author": PUBLISHER,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATINGS[claim.status],
            "worstRating": WORST,
            "bestRating": BEST,
            "alternateName": claim.get_status_display(),
            "ratingExplanation": " ".join(explanation),
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": claim.origin.name},
            "appearance": appearance,
        },
    }
