"""Ingest (issue 10): an article remembers the snapshot its text came from; candidate claims
(ClaimProposal) are proposed from the text; editors may view, change and delete them."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITOR_EXTRA = [
    ("claims", "view_claimproposal"),
    ("claims", "add_claimproposal"),
    ("claims", "change_claimproposal"),
    ("claims", "delete_claimproposal"),
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="editor")
    for app_label, codename in EDITOR_EXTRA:
        editor.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="editor").first()
    if editor is None:
        return
    for app_label, codename in EDITOR_EXTRA:
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is not None:
            editor.permissions.remove(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_webhook_unqueued"),
        ("sources", "0002_snapshot_error_kind_redirects"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="snapshot",
            field=models.ForeignKey(
                blank=True,
                help_text="The archived copy the text was extracted from (ingest).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="sources.snapshot",
            ),
        ),
        migrations.CreateModel(
            name="ClaimProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("span_start", models.PositiveIntegerField()),
                ("span_end", models.PositiveIntegerField()),
                ("text", models.TextField(help_text="The verbatim span of the article text.")),
                (
                    "restatement",
                    models.TextField(blank=True, help_text="Edit before accepting (optional)."),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("figure", "Figure"),
                            ("ownership", "Ownership / control"),
                            ("event", "Event"),
                            ("plan", "Plan / forecast"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "figures",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Parsed figures: value or low/high, unit, the text read, qualifier, offsets.",
                    ),
                ),
                ("score", models.FloatField(help_text="Check-worthiness, 0 to 1.")),
                (
                    "reasons",
                    models.JSONField(
                        blank=True, default=list, help_text="Why this score, in words."
                    ),
                ),
                (
                    "origin_kind",
                    models.CharField(
                        choices=[
                            ("attributed", "Attributed (according to / said / reported)"),
                            ("own_voice", "The article's own voice"),
                        ],
                        max_length=12,
                    ),
                ),
                ("origin_phrase", models.CharField(blank=True, max_length=500)),
                (
                    "fingerprint",
                    models.CharField(help_text="SHA-256 of the normalised text.", max_length=64),
                ),
                ("match_reason", models.CharField(blank=True, max_length=300)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("accepted", "Accepted (a claim now)"),
                            ("merged", "Merged into an existing claim"),
                            ("rejected", "Rejected"),
                        ],
                        default="pending",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="proposals",
                        to="claims.article",
                    ),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        help_text="The claim it became (accepted) or was merged into.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposals",
                        to="claims.claim",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "matched_claim",
                    models.ForeignKey(
                        blank=True,
                        help_text="An existing claim that states the same thing.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="matching_proposals",
                        to="claims.claim",
                    ),
                ),
                (
                    "origin",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who asserted it (a guess from the attribution; the outlet for its own voice).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sources.entity",
                    ),
                ),
                (
                    "subjects",
                    models.ManyToManyField(blank=True, related_name="+", to="sources.entity"),
                ),
            ],
            options={
                "ordering": ["article", "span_start"],
                "indexes": [
                    models.Index(
                        fields=["article", "status"], name="claims_clai_article_eb7e82_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "fingerprint"), name="claimproposal_unique_fingerprint"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("span_end__gt", models.F("span_start"))),
                        name="claimproposal_span_order",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["pending", "accepted", "merged", "rejected"])
                        ),
                        name="claimproposal_status_valid",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
