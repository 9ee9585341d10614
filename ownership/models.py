"""Who owns and controls whom, and who publishes where: entities (organisations and people),
ownership edges, publishers' domains and what the ownership imports leave behind.

The models moved here from `sources` keep their tables (`sources_entity`, ...): the move was a
state-only migration, so existing databases keep their rows and ids.
`ownership` knows nothing of claims or of the archive.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse


class EntityKind(models.TextChoices):
    STATE = "state", "State"
    GOVERNMENT_BODY = "government_body", "Government body"
    SOE = "soe", "State-owned enterprise"
    PRIVATE_COMPANY = "private_company", "Private company"
    MEDIA_OUTLET = "media_outlet", "Media outlet"
    DATA_PROVIDER = "data_provider", "Data provider"
    RESEARCH_BODY = "research_body", "Research body"
    PERSON = "person", "Person"


class Entity(models.Model):
    """An organisation (a state, a government body, a company, an outlet, a data provider) or
    a natural person (kind `person`), who may own and control like any organisation.

    Invariant: `slug` is a stable key (seeds and scripts refer to entities by it).
    """

    Kind = EntityKind

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 alpha-2 code; empty for international bodies.",
    )
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, as a JSON list.")
    basis = models.TextField(blank=True, help_text="What this entry rests on (sources, documents).")
    lei = models.CharField(
        "LEI", max_length=20, blank=True, help_text="ISO 17442 Legal Entity Identifier (GLEIF)."
    )
    uscc = models.CharField(
        "USCC", max_length=18, blank=True, help_text="PRC Unified Social Credit Code."
    )
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, help_text="e.g. Q148 (no URL)."
    )
    public_role = models.CharField(
        max_length=255,
        blank=True,
        help_text="The public role the data states, in words (a politically exposed person, "
        "a minister); shown beside the name in chains and pictures. Not state control.",
    )
    topics = models.JSONField(
        default=list,
        blank=True,
        help_text="FollowTheMoney topics as the source states them (role.pep, gov.soe...).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sources_entity"
        verbose_name_plural = "entities"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(Lower("name"), name="entity_lower_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in EntityKind]), name="entity_kind_valid"
            ),
            # An identifier names one entity; empty means unknown.
            models.UniqueConstraint(fields=["lei"], condition=~Q(lei=""), name="entity_lei_unique"),
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="entity_uscc_unique"
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"], condition=~Q(wikidata_id=""), name="entity_wikidata_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:ownership_entity_change", args=[self.pk])


class Domain(models.Model):
    """A web domain an entity publishes on. Invariant: stored lowercase, unique."""

    domain = models.CharField(max_length=253, unique=True, help_text="e.g. xinhuanet.com")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="domains")
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sources_domain"
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(condition=Q(domain=Lower("domain")), name="domain_lowercase"),
            models.CheckConstraint(condition=~Q(domain=""), name="domain_not_empty"),
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class OwnershipSource(models.TextChoices):
    EDITOR = "editor", "Editor (typed in the desk or seeded)"
    FTM = "ftm", "FollowTheMoney import"
    GLEIF = "gleif", "GLEIF Level 2 import"
    BODS = "bods", "BODS 0.4 import"


class InterestLevel(models.TextChoices):
    """BODS `directOrIndirect`: is the owner known to hold it without intermediaries?"""

    DIRECT = "direct", "Direct"
    INDIRECT = "indirect", "Indirect (through intermediaries)"
    UNKNOWN = "unknown", "Unknown"


class OwnershipNature(models.TextChoices):
    OWNERSHIP = "ownership", "Ownership or control"
    CONSOLIDATION = "consolidation", "Accounting consolidation (not shareholding)"


class Ownership(models.Model):
    """An edge owner → owned. It confers control when `controlling` is set or the stake > 50%.

    Invariant: an edge whose `source` is not `editor` was written by an import and carries its
    provenance (`source_file`, `source_record`, `imported_at`); an import never changes an
    edge of another source, it records an `OwnershipConflict` instead. An editor's change to an
    imported edge makes it the editor's (`source = editor`, `imported_from` the import, the
    provenance kept): a later import that disagrees opens a conflict.
    """

    Source = OwnershipSource
    Nature = OwnershipNature
    Level = InterestLevel

    owner = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="holdings")
    owned = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="owners")
    stake_pct = models.DecimalField(
        "stake (%)", max_digits=6, decimal_places=3, null=True, blank=True
    )
    # A band when the exact stake is not published (a register's "more than 25% but not more
    # than 50%"): BODS share.minimum/exclusiveMinimum and maximum/exclusiveMaximum.
    stake_min = models.DecimalField(
        "stake at least (%)", max_digits=6, decimal_places=3, null=True, blank=True
    )
    stake_min_exclusive = models.BooleanField(
        "more than the minimum", default=False, help_text="The band excludes its minimum."
    )
    stake_max = models.DecimalField(
        "stake at most (%)", max_digits=6, decimal_places=3, null=True, blank=True
    )
    stake_max_exclusive = models.BooleanField(
        "less than the maximum", default=False, help_text="The band excludes its maximum."
    )
    interest_level = models.CharField(
        max_length=10,
        choices=InterestLevel.choices,
        default=InterestLevel.DIRECT,
        help_text="Direct, or held through intermediaries (GLEIF's ultimate parent).",
    )
    controlling = models.BooleanField(
        default=False, help_text="Confers control (also implied by a stake over 50%)."
    )
    citation_url = models.URLField(max_length=2000, blank=True)
    as_of = models.DateField(null=True, blank=True)
    confirmed = models.BooleanField(
        default=False, help_text="A public document states this edge (cite it)."
    )
    basis = models.TextField(blank=True)
    nature = models.CharField(
        max_length=20,
        choices=Nature.choices,
        default=Nature.OWNERSHIP,
        help_text="Consolidation (GLEIF Level 2) is an accounting relationship, not a stake.",
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.EDITOR)
    source_file = models.CharField(max_length=255, blank=True, help_text="The imported file.")
    source_record = models.CharField(
        max_length=255, blank=True, help_text="The record in that file (FtM id, GLEIF type)."
    )
    source_detail = models.JSONField(
        default=dict,
        blank=True,
        help_text="The provenance as the file states it (a BODS statement's source), exported "
        "back unchanged.",
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_from = models.CharField(
        max_length=10,
        choices=Source.choices,
        blank=True,
        help_text="The import that wrote this edge before an editor changed it (its file and "
        "record stay above): the edge is the editor's now, and imports open conflicts on it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sources_ownership"
        ordering = ["owned__name", "owner__name"]
        verbose_name_plural = "ownership"
        constraints = [
            models.UniqueConstraint(fields=["owner", "owned"], name="ownership_unique_pair"),
            models.CheckConstraint(
                condition=~Q(owner=models.F("owned")), name="ownership_not_self"
            ),
            models.CheckConstraint(
                condition=Q(stake_pct__isnull=True) | Q(stake_pct__gte=0, stake_pct__lte=100),
                name="ownership_stake_range",
            ),
            models.CheckConstraint(
                condition=(Q(stake_min__isnull=True) | Q(stake_min__gte=0, stake_min__lte=100))
                & (Q(stake_max__isnull=True) | Q(stake_max__gte=0, stake_max__lte=100))
                & (
                    Q(stake_min__isnull=True)
                    | Q(stake_max__isnull=True)
                    | Q(stake_min__lte=models.F("stake_max"))
                ),
                name="ownership_stake_band",
            ),
        ]

    def __str__(self) -> str:
        stake = f" {self.stake_pct}%" if self.stake_pct is not None else ""
        return f"{self.owner} → {self.owned}{stake}"


class ExternalRecord(models.Model):
    """An imported record id that names an entity (an FtM entity id, a GLEIF LEI), so that
    re-importing the same file finds the same entity. Invariant: (source, key) is unique."""

    source = models.CharField(max_length=10, choices=OwnershipSource.choices)
    key = models.CharField(max_length=255)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="external_records")
    source_file = models.CharField(max_length=255, blank=True)
    created_entity = models.BooleanField(
        default=False,
        help_text="The entity was created from this record: exports in this format give the "
        "entity this id back.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sources_externalrecord"
        ordering = ["source", "key"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="external_record_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key} → {self.entity}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept the editor's"
    TAKEN = "taken", "Took the imported"


class OwnershipConflict(models.Model):
    """An import disagreed with an edge it may not change. The edge stays as it was until an
    editor resolves the conflict (`ownership.services.conflict_resolve`). Invariant: one row per
    (edge, source, imported values): re-importing the same file raises nothing new."""

    Status = ConflictStatus

    ownership = models.ForeignKey(Ownership, on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(max_length=10, choices=OwnershipSource.choices)
    source_file = models.CharField(max_length=255, blank=True)
    source_record = models.CharField(max_length=255, blank=True)
    imported = models.JSONField(help_text="The imported values, field by field.")
    differences = models.TextField(help_text="What differs, in words.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sources_ownershipconflict"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ConflictStatus]),
                name="ownership_conflict_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ownership}: {self.differences}"


class MatchCandidate(models.Model):
    """An imported entity whose name matches an existing one. Never merged blindly: an editor
    accepts (the imported entity is merged into the existing one) or rejects (both stay)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted: merged"
        REJECTED = "rejected", "Rejected: kept separate"

    imported = models.ForeignKey(
        Entity, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    imported_name = models.CharField(max_length=255)
    existing = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="match_candidates")
    source = models.CharField(max_length=10, choices=OwnershipSource.choices)
    source_file = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sources_matchcandidate"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.imported_name} ≟ {self.existing}"


class ReportingException(models.Model):
    """GLEIF Level 2: why an entity reports no (direct or ultimate) accounting parent, e.g.
    NATURAL_PERSONS or NON_PUBLIC. Shown on the entity as the reason a parent is missing."""

    class Category(models.TextChoices):
        DIRECT = "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", "Direct parent"
        ULTIMATE = "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT", "Ultimate parent"

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="gleif_exceptions")
    category = models.CharField(max_length=50, choices=Category.choices)
    reason = models.CharField(max_length=40, help_text="NON_CONSOLIDATING, NATURAL_PERSONS...")
    reference = models.TextField(blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        db_table = "sources_reportingexception"
        ordering = ["entity__name", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "category"], name="reporting_exception_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity}: no {self.get_category_display().lower()} ({self.reason})"


class RegisterVersion(models.Model):
    """One row (id 1): a number the database changes, inside the writing transaction, whenever
    something the control graph is built from changes (an entity inserted or deleted, its name,
    kind, country or public role edited; a controlling edge inserted, deleted or edited, or an
    edge becoming or ceasing to be controlling). Triggers set it (migration 0006), so writes
    behind the project's back (a queryset `update()`, raw SQL, an import's bulk statements)
    change it too; an edit that leaves those columns as they were does not.

    Readers compare it with the number they computed against (`ownership.chains.current_graph`,
    the stored suggestions' state) in one indexed read, instead of hashing the whole register:
    equal numbers mean the same register. The number is never reused: PostgreSQL takes it from
    a sequence (a committed change always leaves a number no reader has seen), SQLite from
    `random()`. No row (a test database flushed) means "unknown": nothing is reused until the
    next change writes one."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = "register version"

    def __str__(self) -> str:
        return f"register version {self.version}"
