"""Claims created from a span of an article (intake accepts proposals through
`claim_create`), and the figure index every save of a claim rewrites."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from claims.figures import index_rows
from claims.models import Claim, ClaimFigure

# --- Claims created from a span of an article (intake.services.proposals accepts them) ------


def claim_index_figures(*, claim: Claim) -> int:
    """Write the figure index of `claim` from its `figures` (claims.models.ClaimFigure): the
    rows it should have are kept, others deleted, missing ones added. Returns the row count.
    Called on every save of a claim (claims.receivers)."""
    wanted = set(index_rows(claim.figures if isinstance(claim.figures, list) else []))
    have = {
        (unit, low, high): pk
        for pk, unit, low, high in ClaimFigure.objects.filter(claim=claim).values_list(
            "pk", "unit", "low", "high"
        )
    }
    stale = [pk for row, pk in have.items() if row not in wanted]
    if stale:
        ClaimFigure.objects.filter(pk__in=stale).delete()
    missing = [
        ClaimFigure(claim=claim, unit=unit[:64], low=low, high=high)
        for unit, low, high in sorted(wanted - set(have))
    ]
    ClaimFigure.objects.bulk_create(missing, ignore_conflicts=True)
    return len(wanted)


def claim_create(
    *,
    article,
    span_start: int,
    span_end: int,
    kind: str,
    origin,
    restatement: str = "",
    figures: list | None = None,
    subjects=(),
    key: str = "",
) -> Claim:
    """A new claim (status `unreviewed`, version 1) over `article.text[span_start:span_end]`,
    with a key unique in its article. Refuses a span outside the text."""
    text = article.text[span_start:span_end]
    if not (0 <= span_start < span_end <= len(article.text)) or not text.strip():
        raise ValidationError({"span_start": "The span is not inside the article text."})
    if kind not in Claim.Kind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    if origin is None:
        raise ValidationError({"origin": "Say who asserted the claim (its origin)."})
    if not key:
        digest = hashlib.sha256(f"{span_start}:{span_end}:{text}".encode()).hexdigest()[:8]
        key = f"{slugify(restatement or text)[:60].strip('-') or 'claim'}-{digest}"
    claim = Claim.objects.create(
        article=article,
        key=key,
        span_start=span_start,
        span_end=span_end,
        text=text,
        restatement=(restatement or "").strip(),
        kind=kind,
        figures=figures or [],
        origin=origin,
    )
    if subjects:
        claim.subjects.set(subjects)
    return claim
