"""Proposals' links to entities now point at `ownership.Entity`: the same table
(`sources_entity`), so the columns and foreign keys in the database are unchanged; state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_claimproposal_named_subjects"),
        ("ownership", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
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
            ],
        ),
    ]
