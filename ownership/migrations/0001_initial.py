"""Entities, ownership edges, domains and the imports' records move here from `sources`: state
only. The tables keep their names (`sources_entity`, ...), rows and ids; `db_table` says so.
Content types and permissions are relabelled in 0002, once `sources` has let go of the models."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("sources", "0006_merge_20261203_0714"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them moves.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Entity",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=255)),
                        ("slug", models.SlugField(max_length=100, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("state", "State"),
                                    ("government_body", "Government body"),
                                    ("soe", "State-owned enterprise"),
                                    ("private_company", "Private company"),
                                    ("media_outlet", "Media outlet"),
                                    ("data_provider", "Data provider"),
                                    ("research_body", "Research body"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "country",
                            models.CharField(
                                blank=True,
                                help_text="ISO 3166-1 alpha-2 code; empty for international bodies.",
                                max_length=2,
                            ),
                        ),
                        (
                            "aliases",
                            models.JSONField(
                                blank=True, default=list, help_text="Other names, as a JSON list."
                            ),
                        ),
                        (
                            "basis",
                            models.TextField(
                                blank=True,
                                help_text="What this entry rests on (sources, documents).",
                            ),
                        ),
                        (
                            "lei",
                            models.CharField(
                                blank=True,
                                help_text="ISO 17442 Legal Entity Identifier (GLEIF).",
                                max_length=20,
                                verbose_name="LEI",
                            ),
                        ),
                        (
                            "uscc",
                            models.CharField(
                                blank=True,
                                help_text="PRC Unified Social Credit Code.",
                                max_length=18,
                                verbose_name="USCC",
                            ),
                        ),
                        (
                            "wikidata_id",
                            models.CharField(
                                blank=True,
                                help_text="e.g. Q148 (no URL).",
                                max_length=20,
                                verbose_name="Wikidata id",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name_plural": "entities",
                        "db_table": "sources_entity",
                        "ordering": ["name"],
                        "indexes": [
                            models.Index(fields=["kind"], name="sources_ent_kind_1542cc_idx"),
                            models.Index(
                                django.db.models.functions.text.Lower("name"),
                                name="entity_lower_name",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "kind__in",
                                        [
                                            "state",
                                            "government_body",
                                            "soe",
                                            "private_company",
                                            "media_outlet",
                                            "data_provider",
                                            "research_body",
                                        ],
                                    )
                                ),
                                name="entity_kind_valid",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("lei", ""), _negated=True),
                                fields=("lei",),
                                name="entity_lei_unique",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("uscc", ""), _negated=True),
                                fields=("uscc",),
                                name="entity_uscc_unique",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("wikidata_id", ""), _negated=True),
                                fields=("wikidata_id",),
                                name="entity_wikidata_unique",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="MatchCandidate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("imported_name", models.CharField(max_length=255)),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("editor", "Editor (typed in the desk or seeded)"),
                                    ("ftm", "FollowTheMoney import"),
                                    ("gleif", "GLEIF Level 2 import"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("source_file", models.CharField(blank=True, max_length=255)),
                        ("reason", models.CharField(max_length=255)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("accepted", "Accepted: merged"),
                                    ("rejected", "Rejected: kept separate"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "existing",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="match_candidates",
                                to="ownership.entity",
                            ),
                        ),
                        (
                            "imported",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="ownership.entity",
                            ),
                        ),
                        (
                            "resolved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sources_matchcandidate",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Ownership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "stake_pct",
                            models.DecimalField(
                                blank=True,
                                decimal_places=3,
                                max_digits=6,
                                null=True,
                                verbose_name="stake (%)",
                            ),
                        ),
                        (
                            "controlling",
                            models.BooleanField(
                                default=False,
                                help_text="Confers control (also implied by a stake over 50%).",
                            ),
                        ),
                        ("citation_url", models.URLField(blank=True, max_length=2000)),
                        ("as_of", models.DateField(blank=True, null=True)),
                        (
                            "confirmed",
                            models.BooleanField(
                                default=False,
                                help_text="A public document states this edge (cite it).",
                            ),
                        ),
                        ("basis", models.TextField(blank=True)),
                        (
                            "nature",
                            models.CharField(
                                choices=[
                                    ("ownership", "Ownership or control"),
                                    (
                                        "consolidation",
                                        "Accounting consolidation (not shareholding)",
                                    ),
                                ],
                                default="ownership",
                                help_text="Consolidation (GLEIF Level 2) is an accounting relationship, not a stake.",
                                max_length=20,
                            ),
                        ),
                        ("start_date", models.DateField(blank=True, null=True)),
                        ("end_date", models.DateField(blank=True, null=True)),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("editor", "Editor (typed in the desk or seeded)"),
                                    ("ftm", "FollowTheMoney import"),
                                    ("gleif", "GLEIF Level 2 import"),
                                ],
                                default="editor",
                                max_length=10,
                            ),
                        ),
                        (
                            "source_file",
                            models.CharField(
                                blank=True, help_text="The imported file.", max_length=255
                            ),
                        ),
                        (
                            "source_record",
                            models.CharField(
                                blank=True,
                                help_text="The record in that file (FtM id, GLEIF type).",
                                max_length=255,
                            ),
                        ),
                        ("imported_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "owned",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="owners",
                                to="ownership.entity",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="holdings",
                                to="ownership.entity",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "ownership",
                        "db_table": "sources_ownership",
                        "ordering": ["owned__name", "owner__name"],
                    },
                ),
                migrations.CreateModel(
                    name="OwnershipConflict",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("editor", "Editor (typed in the desk or seeded)"),
                                    ("ftm", "FollowTheMoney import"),
                                    ("gleif", "GLEIF Level 2 import"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("source_file", models.CharField(blank=True, max_length=255)),
                        ("source_record", models.CharField(blank=True, max_length=255)),
                        (
                            "imported",
                            models.JSONField(help_text="The imported values, field by field."),
                        ),
                        ("differences", models.TextField(help_text="What differs, in words.")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("kept", "Kept the editor's"),
                                    ("taken", "Took the imported"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "ownership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="conflicts",
                                to="ownership.ownership",
                            ),
                        ),
                        (
                            "resolved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sources_ownershipconflict",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="ReportingException",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", "Direct parent"),
                                    ("ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT", "Ultimate parent"),
                                ],
                                max_length=50,
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                help_text="NON_CONSOLIDATING, NATURAL_PERSONS...", max_length=40
                            ),
                        ),
                        ("reference", models.TextField(blank=True)),
                        ("source_file", models.CharField(blank=True, max_length=255)),
                        ("imported_at", models.DateTimeField()),
                        (
                            "entity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="gleif_exceptions",
                                to="ownership.entity",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sources_reportingexception",
                        "ordering": ["entity__name", "category"],
                    },
                ),
                migrations.CreateModel(
                    name="Domain",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "domain",
                            models.CharField(
                                help_text="e.g. xinhuanet.com", max_length=253, unique=True
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=255)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "entity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="domains",
                                to="ownership.entity",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sources_domain",
                        "ordering": ["domain"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("domain", django.db.models.functions.text.Lower("domain"))
                                ),
                                name="domain_lowercase",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("domain", ""), _negated=True),
                                name="domain_not_empty",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ExternalRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("editor", "Editor (typed in the desk or seeded)"),
                                    ("ftm", "FollowTheMoney import"),
                                    ("gleif", "GLEIF Level 2 import"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("key", models.CharField(max_length=255)),
                        ("source_file", models.CharField(blank=True, max_length=255)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "entity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="external_records",
                                to="ownership.entity",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sources_externalrecord",
                        "ordering": ["source", "key"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("source", "key"), name="external_record_unique"
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="ownership",
                    constraint=models.UniqueConstraint(
                        fields=("owner", "owned"), name="ownership_unique_pair"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="ownership",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("owner", models.F("owned")), _negated=True),
                        name="ownership_not_self",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="ownership",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("stake_pct__isnull", True),
                            models.Q(("stake_pct__gte", 0), ("stake_pct__lte", 100)),
                            _connector="OR",
                        ),
                        name="ownership_stake_range",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="ownershipconflict",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["open", "kept", "taken"])),
                        name="ownership_conflict_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reportingexception",
                    constraint=models.UniqueConstraint(
                        fields=("entity", "category"), name="reporting_exception_unique"
                    ),
                ),
            ],
        ),
    ]
