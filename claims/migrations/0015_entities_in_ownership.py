"""Claims' links to entities now point at `ownership.Entity`: the same table (`sources_entity`),
so the columns and foreign keys in the database are unchanged; state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0014_merge_20261203_0714"),
        ("ownership", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them moves.
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="outlet",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="articles",
                        to="ownership.entity",
                    ),
                ),
                migrations.AlterField(
                    model_name="claim",
                    name="origin",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="originated_claims",
                        to="ownership.entity",
                    ),
                ),
                migrations.AlterField(
                    model_name="claim",
                    name="subjects",
                    field=models.ManyToManyField(
                        blank=True, related_name="subject_of_claims", to="ownership.entity"
                    ),
                ),
                migrations.AlterField(
                    model_name="claimproposal",
                    name="origin",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Who asserted it (a guess from the attribution; the outlet for its own voice).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ownership.entity",
                    ),
                ),
                migrations.AlterField(
                    model_name="claimproposal",
                    name="subjects",
                    field=models.ManyToManyField(
                        blank=True, related_name="+", to="ownership.entity"
                    ),
                ),
                migrations.AlterField(
                    model_name="classificationrequest",
                    name="publisher",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The publisher the evidence got when the request was resolved.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ownership.entity",
                    ),
                ),
                migrations.AlterField(
                    model_name="evidence",
                    name="publisher",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="ownership.entity",
                    ),
                ),
            ],
        ),
    ]
