"""ClaimProposal, moved here from `claims` (issue 27) without touching the database.

The table `claims_claimproposal`, its many-to-many table `claims_claimproposal_subjects`, its
index and its constraints keep their names and their rows (claims' 0015 removed the model from
claims' state only; this one adds it to intake's state only). Its content type is relabelled
from `claims` to `intake`: the permission rows (`view_/add_/change_/delete_claimproposal`)
hang on it, so the editor group's grants and the admin's history follow without a change.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel(apps, schema_editor, *, old: str = "claims", new: str = "intake") -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    moved = ContentType.objects.filter(app_label=old, model="claimproposal").first()
    if moved is None:
        return  # a fresh database before claims' 0007 ran, or already relabelled
    there = ContentType.objects.filter(app_label=new, model="claimproposal").first()
    if there is not None:
        # Both exist (post_migrate ran with the model half moved): keep the one the groups
        # and the admin's history point at, and move any grant of the other onto it.
        for perm in Permission.objects.filter(content_type=there):
            twin = Permission.objects.filter(content_type=moved, codename=perm.codename).first()
            if twin is None:
                perm.content_type = moved
                perm.save(update_fields=["content_type"])
                continue
            for group in perm.group_set.all():
                group.permissions.add(twin)
            for user in perm.user_set.all():
                user.user_permissions.add(twin)
            perm.delete()
        there.delete()
    moved.app_label = new
    moved.save(update_fields=["app_label"])


def relabel_back(apps, schema_editor) -> None:
    relabel(apps, schema_editor, old="intake", new="claims")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("claims", "0015_claimproposal_moves_to_intake"),
        ("sources", "0006_merge_20261203_0714"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ClaimProposal",
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
                        ("span_start", models.PositiveIntegerField()),
                        ("span_end", models.PositiveIntegerField()),
                        (
                            "text",
                            models.TextField(help_text="The verbatim span of the article text."),
                        ),
                        (
                            "restatement",
                            models.TextField(
                                blank=True, help_text="Edit before accepting (optional)."
                            ),
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
                            models.CharField(
                                help_text="SHA-256 of the normalised text.", max_length=64
                            ),
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
                            models.ManyToManyField(
                                blank=True, related_name="+", to="sources.entity"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "claims_claimproposal",
                        "ordering": ["article", "span_start"],
                        "indexes": [
                            models.Index(
                                fields=["article", "status"], name="claims_clai_article_eb7e82_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("article", "fingerprint"),
                                name="claimproposal_unique_fingerprint",
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
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel, relabel_back),
    ]
