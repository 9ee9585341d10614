"""Candidate claims the proposer found in an ingested article, and the editors' decisions
on them (intake.services.proposals)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from claims.choices import ClaimKind
from claims.models import Article, Claim
from ownership.models import Entity


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted (a claim now)"
    MERGED = "merged", "Merged into an existing claim"
    REJECTED = "rejected", "Rejected"


class ProposalOrigin(models.TextChoices):
    ATTRIBUTED = "attributed", "Attributed (according to / said / reported)"
    OWN_VOICE = "own_voice", "The article's own voice"


class ClaimProposal(models.Model):
    """A candidate claim the proposer (intake.proposer) found in an article.

    Invariants: `text == article.text[span_start:span_end]`; one row per (article,
    `fingerprint`), so a rejected proposal stays rejected when the proposer runs again;
    `status` leaves `pending` only through intake.services.proposals (accept, merge, reject), which set
    `claim` (the claim it became, or the existing claim it was merged into).
    """

    Status = ProposalStatus
    Origin = ProposalOrigin

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="proposals")
    span_start = models.PositiveIntegerField()
    span_end = models.PositiveIntegerField()
    text = models.TextField(help_text="The verbatim span of the article text.")
    restatement = models.TextField(blank=True, help_text="Edit before accepting (optional).")
    kind = models.CharField(max_length=10, choices=ClaimKind.choices)
    figures = models.JSONField(
        default=list,
        blank=True,
        help_text="Parsed figures: value or low/high, unit, the text read, qualifier, offsets.",
    )
    score = models.FloatField(help_text="Check-worthiness, 0 to 1.")
    reasons = models.JSONField(default=list, blank=True, help_text="Why this score, in words.")
    named_subjects = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "Organisations the text names as what the statement is about that are not known "
            'entities ("a smaller producer in Jiangxi", "Lanshan Magnetics"): an editor can '
            "add one as an entity, then set it as a subject."
        ),
    )
    origin_kind = models.CharField(max_length=12, choices=Origin.choices)
    origin_phrase = models.CharField(max_length=500, blank=True)
    origin = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asserted it (a guess from the attribution; the outlet for its own voice).",
    )
    subjects = models.ManyToManyField(Entity, blank=True, related_name="+")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the normalised text.")
    matched_claim = models.ForeignKey(
        Claim,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matching_proposals",
        help_text="An existing claim that states the same thing.",
    )
    match_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="proposals",
        help_text="The claim it became (accepted) or was merged into.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "span_start"]
        # Moved from `claims` (issue 27) without touching the database: the table, its index
        # and its many-to-many table keep the names claims gave them.
        db_table = "claims_claimproposal"
        indexes = [
            models.Index(fields=["article", "status"], name="claims_clai_article_eb7e82_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "fingerprint"], name="claimproposal_unique_fingerprint"
            ),
            models.CheckConstraint(
                condition=Q(span_end__gt=F("span_start")), name="claimproposal_span_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProposalStatus]),
                name="claimproposal_status_valid",
            ),
        ]

    def __str__(self) -> str:
        text = self.restatement or self.text
        return text if len(text) <= 90 else text[:89] + "…"
