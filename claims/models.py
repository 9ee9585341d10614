"""Articles, the claims in them, the evidence reviewers attach, and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.urls import reverse

from claims.choices import ClaimKind, ClaimStatus, EvidenceStance, WebhookDeliveryOutcome
from claims.querysets import (
    ApiConsumerManager,
    AppendOnlyQuerySet,
    ChangedNow,
    ClaimQuerySet,
    ClassificationRequestQuerySet,
)
from ownership.models import Entity
from sources.models import Snapshot


class Article(models.Model):
    """A published piece; its claims are spans of `text`. Invariant: `text` is never edited
    after claims point into it (the admin makes it read-only once claims exist)."""

    key = models.SlugField(max_length=100, unique=True, help_text="Stable key used by seeds.")
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=2000, blank=True)
    outlet = models.ForeignKey(
        Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    published_on = models.DateField(null=True, blank=True)
    text = models.TextField()
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The archived copy the text was extracted from (ingest).",
    )
    # The vetting report (claims/reports.py) is staff-only until an editor with
    # `claims.publish_report` publishes it (claims.services.reports.article_set_report_published).
    report_published = models.BooleanField(
        default=False,
        editable=False,
        help_text="The vetting report is public (read-only) at its report URL.",
    )
    report_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    report_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "-created_at"]
        permissions = [("publish_report", "Can publish an article's vetting report")]

    def __str__(self) -> str:
        return self.title

    def get_report_url(self) -> str:
        return reverse("claims:report", args=[self.key])


class Claim(models.Model):
    """One checkable statement: `text == article.text[span_start:span_end]`.

    Invariant: `status` and `version` change only through `claims.services.status.claim_set_status`
    (and `claim_take`), which writes a `StatusChange` row in the same transaction.
    """

    Status = ClaimStatus

    Kind = ClaimKind

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    key = models.SlugField(max_length=100, help_text="Stable key within the article (seeds).")
    span_start = models.PositiveIntegerField()
    span_end = models.PositiveIntegerField()
    text = models.TextField(help_text="The verbatim span of the article text.")
    restatement = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    figures = models.JSONField(
        default=list,
        blank=True,
        help_text='A list of {"value", "unit"} or {"low", "high", "unit"} objects.',
    )
    origin = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="originated_claims")
    subjects = models.ManyToManyField(Entity, blank=True, related_name="subject_of_claims")
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.UNREVIEWED, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_claims",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # When anything the API shows of the claim last changed: its own row, its evidence, their
    # snapshots, its stored suggestion (claims/materialised.py touches it in the writing
    # transaction). Always the database's clock (`Now()`, never the web process's), so the
    # sync feed's horizon (claims/api/changes.py) can tell which changes are committed.
    changed_at = models.DateTimeField(db_default=ChangedNow(), editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["article", "span_start"]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["article", "span_start"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["origin", "status"]),
            models.Index(fields=["changed_at", "id"], name="claim_changed_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="claim_unique_key"),
            models.CheckConstraint(
                condition=Q(span_end__gt=F("span_start")), name="claim_span_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ClaimStatus]), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ClaimKind]), name="claim_kind_valid"
            ),
        ]
        permissions = [
            ("decide_claim", "Can decide a claim's verdict"),
            ("override_decision", "Can override the suggestion rule with a rationale"),
        ]

    def __str__(self) -> str:
        text = self.restatement or self.text
        return text if len(text) <= 90 else text[:89] + "…"

    def save(self, *args, **kwargs) -> None:
        """Every save is a change (`changed_at` = the database's now; an insert takes it from
        the column's default, read back by RETURNING)."""
        if not self._state.adding:
            self.changed_at = ChangedNow()
            if (fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*fields, "changed_at"}
        super().save(*args, **kwargs)
        if isinstance(self.__dict__.get("changed_at"), Now):
            del self.__dict__["changed_at"]  # read from the database when asked (deferred)

    def get_absolute_url(self) -> str:
        return reverse("claims:detail", args=[self.pk])

    def clean(self) -> None:
        if (
            self.article_id
            and self.span_end is not None
            and self.span_start is not None
            and self.article.text[self.span_start : self.span_end] != self.text
        ):
            raise ValidationError(
                {"text": "The text does not match the article between the span offsets."}
            )


#: The longest excerpt and rationale anyone may send: the desk's forms, the API's serializers
#: and the services all read these (issue 15), so each door says the same thing.
EXCERPT_MAX_LENGTH = 5000
RATIONALE_MAX_LENGTH = 10000


class Evidence(models.Model):
    """A source URL a reviewer attached to a claim, with its stance.

    Invariant: one row per (claim, url); `publisher` is resolved from the URL's registrable
    domain (None: unknown publisher, which counts toward nothing until an editor classifies it).
    """

    Stance = EvidenceStance

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="evidence")
    url = models.URLField(max_length=2000)
    stance = models.CharField(max_length=10, choices=Stance.choices)
    excerpt = models.TextField(blank=True, max_length=EXCERPT_MAX_LENGTH)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    publisher = models.ForeignKey(
        Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    hints = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the archived text says: figures found, attribution to the claimant.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["claim", "stance"])]
        constraints = [
            models.UniqueConstraint(fields=["claim", "url"], name="evidence_unique_url"),
            models.CheckConstraint(
                condition=Q(stance__in=[s.value for s in EvidenceStance]),
                name="evidence_stance_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.url}"


class ClassificationRequest(models.Model):
    """A reviewer asks an editor to classify the unknown publisher of an evidence URL.

    Invariant: at most one open request per evidence row (a second ask is the same request);
    a request is resolved (`resolved_at` set) when the evidence gets a publisher, by whatever
    path (claims.services.classification.classification_requests_resolve): the evidence admin, the request's
    own admin page, or a `Domain` added in the admin (claims.services.classification.evidence_resync_publishers).
    """

    domain = models.CharField(
        max_length=253, help_text="The registrable domain of the URL (or its host, for an IP)."
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="classification_requests"
    )
    evidence = models.ForeignKey(
        Evidence, on_delete=models.CASCADE, related_name="classification_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the domain was registered outside the request (the Domain admin).",
    )
    publisher = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The publisher the evidence got when the request was resolved.",
    )

    objects = ClassificationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence"],
                condition=Q(resolved_at__isnull=True),
                name="classification_request_one_open",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"])]

    def __str__(self) -> str:
        state = "resolved" if self.resolved_at else "open"
        return f"Classify {self.domain} (claim #{self.claim_id}, {state})"


class StatusChange(models.Model):
    """The audit trail: one row per status change of a claim, never edited or deleted.

    The ORM refuses updates and deletes; a database trigger (migration 0002) refuses them too.
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="status_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=30, choices=Claim.Status.choices)
    to_status = models.CharField(max_length=30, choices=Claim.Status.choices)
    rationale = models.TextField(blank=True, max_length=RATIONALE_MAX_LENGTH)
    override = models.BooleanField(default=False)
    evidence_ids = models.JSONField(default=list, blank=True)
    suggested_status = models.CharField(max_length=30, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["claim", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit rows are append-only: they cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise PermissionError("Audit rows are append-only: they cannot be deleted.")


class EvidenceEvent(models.Model):
    """The audit trail of what was done to a claim's sources after they were attached: an
    archive retried, a URL replaced, a source removed. One row per action, never edited or
    deleted (like `StatusChange`); `evidence_id` is a plain number because a removed source's
    row is gone, and `url`/`new_url`/`extra` keep what it was."""

    class Action(models.TextChoices):
        RETRY_ARCHIVE = "retry_archive", "Archiving retried"
        REPLACE_URL = "replace_url", "URL replaced"
        REMOVE = "remove", "Source removed"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="evidence_events")
    evidence_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    url = models.URLField(max_length=2000)
    new_url = models.URLField(max_length=2000, blank=True)
    reason = models.TextField(blank=True, max_length=RATIONALE_MAX_LENGTH)
    extra = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["claim", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["retry_archive", "replace_url", "remove"]),
                name="evidenceevent_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.get_action_display()} ({self.url})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit rows are append-only: they cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise PermissionError("Audit rows are append-only: they cannot be deleted.")


def _webhook_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A consumer's URL that hears about every claim status change, signed with `secret`.

    Editors register these in the admin. Deliveries go through the safe fetcher (no private
    addresses), from a Celery task; an endpoint that fails never blocks a decision.
    """

    name = models.CharField(max_length=200, help_text="Who receives this (the consumer).")
    url = models.URLField(max_length=2000, help_text="https:// address the desk POSTs to.")
    secret = models.CharField(
        max_length=200,
        default=_webhook_secret,
        help_text="Shared secret for the HMAC-SHA256 signature; give it to the consumer.",
    )
    active = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        help_text="The consumer's API user, if any.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookDelivery(models.Model):
    """One delivery attempt: every POST (successful or not) leaves one row. `event_id` is the
    same across the attempts of one notification, so consumers can discard duplicates."""

    Outcome = WebhookDeliveryOutcome

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="webhook_deliveries")
    event_id = models.UUIDField(db_index=True)
    attempt = models.PositiveIntegerField()
    claim_version = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(
                fields=["created_at"],
                name="webhookdelivery_unqueued",
                condition=models.Q(outcome="unqueued"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint.name}: claim {self.claim_id} attempt {self.attempt} {self.outcome}"


class ClaimFigure(models.Model):
    """The figure index: one amount a claim states, normalised (`claims.figures.index_rows`:
    one spelling per unit, a single value as low == high), so that a proposal stating a
    claim's figures finds the claim in one indexed query whatever its subject
    (intake.selectors.claims_matching). Written from `Claim.figures` on every save of a claim
    (claims.receivers); never edited by hand."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="figure_index")
    unit = models.CharField(max_length=64, help_text='"%", "t", "CNY", "USD", a counted noun.')
    low = models.FloatField()
    high = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["unit", "low", "high"], name="claimfigure_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "unit", "low", "high"], name="claimfigure_unique"
            ),
            models.CheckConstraint(condition=Q(high__gte=F("low")), name="claimfigure_order"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.low:g}–{self.high:g} {self.unit}"
            if self.high != self.low
            else f"{self.low:g} {self.unit}"
        )


class ClaimSuggestion(models.Model):
    """The suggestion rule's answer for one claim, stored so the API reads it instead of
    computing it (claims/materialised.py writes it; docs/api.md "Materialised suggestions").

    Invariant: written in the same transaction as every write through the project's paths that
    can change it (evidence, snapshots, publishers, domains, ownership, entities). A read uses
    a row only when it is provably current: its `generation` is the state's
    (`SuggestionState`), the state's register version is the database's now, and `inputs` (the
    claim's evidence facts spelled as text) and `origin_id` / `min_sources` equal what the
    database and the settings hold now; otherwise the read computes, as before.
    """

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, primary_key=True, related_name="materialised"
    )
    #: "" when the rule has no suggestion (None in the API).
    status = models.CharField(max_length=30, blank=True)
    reasons = models.JSONField(default=list)
    needed = models.PositiveIntegerField(default=0)
    independent_groups = models.PositiveIntegerField(default=0)
    #: str(evidence id) → {"publisher": id | None, "assessment": {...} | None}
    evidence = models.JSONField(default=dict)
    #: The origin as the API shows it (what a list page needs), and str(entity id) → the
    #: entity as the API shows it for every publisher; "origin:publisher" → independent.
    origin = models.JSONField(default=dict)
    entities = models.JSONField(default=dict)
    independent = models.JSONField(default=dict)
    origin_id = models.BigIntegerField()
    min_sources = models.PositiveIntegerField()
    inputs = models.TextField(blank=True)
    #: The register version it was computed against (`ownership.models.RegisterVersion`).
    graph_version = models.BigIntegerField(null=True)
    generation = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "stored suggestion"

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {self.status or 'no suggestion'}"


class SuggestionState(models.Model):
    """One row (id 1): the register version every current `ClaimSuggestion` was computed
    against (`graph_version`: `ownership.models.RegisterVersion`, which the database's triggers
    change on every register write) and the current `generation`. A graph change the project's
    write paths did not follow (a queryset `update()`, raw SQL) shows as a version that differs
    from the database's: rows are then not used until a write path bumps the generation and
    `recompute_suggestions` rebuilds them."""

    graph_version = models.BigIntegerField(null=True, blank=True)
    generation = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        version = "-" if self.graph_version is None else self.graph_version
        return f"generation {self.generation}, register version {version}"


# ------------------------------------------------------------------ API consumers (issue 25)


class ApiConsumer(User):
    """A partner system's account: a user in the `api-consumer` group only, with no password
    (it signs in nowhere) and API tokens. A proxy of the user model, so editors manage
    consumers (and only consumers) in the admin with permissions of their own; the writes are
    in claims.services."""

    objects = ApiConsumerManager()

    class Meta:
        proxy = True
        verbose_name = "API consumer"
        verbose_name_plural = "API consumers"


class TokenUse(models.Model):
    """When an API token was last used (knox records none), as last listed: the API notes
    uses in the cache and claims.services.consumers.tokens_last_used keeps them here. Goes with its
    token."""

    token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="use"
    )
    last_used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.token_id[:8]}… last used {self.last_used_at:%Y-%m-%d %H:%M}"
