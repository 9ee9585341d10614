"""Entities, ownership and the imports' records now belong to `ownership` (its 0001): `sources`
forgets them in the state only; the tables and rows stay, owned by `ownership`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_entities_in_ownership"),
        ("ownership", "0001_initial"),
        ("sources", "0006_merge_20261203_0714"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them moves.
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="matchcandidate",
                    name="existing",
                ),
                migrations.RemoveField(
                    model_name="ownership",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="ownership",
                    name="owned",
                ),
                migrations.RemoveField(
                    model_name="reportingexception",
                    name="entity",
                ),
                migrations.RemoveField(
                    model_name="externalrecord",
                    name="entity",
                ),
                migrations.RemoveField(
                    model_name="matchcandidate",
                    name="imported",
                ),
                migrations.RemoveField(
                    model_name="matchcandidate",
                    name="resolved_by",
                ),
                migrations.RemoveField(
                    model_name="ownershipconflict",
                    name="ownership",
                ),
                migrations.RemoveField(
                    model_name="ownershipconflict",
                    name="resolved_by",
                ),
                migrations.DeleteModel(
                    name="Domain",
                ),
                migrations.DeleteModel(
                    name="ReportingException",
                ),
                migrations.DeleteModel(
                    name="ExternalRecord",
                ),
                migrations.DeleteModel(
                    name="Entity",
                ),
                migrations.DeleteModel(
                    name="MatchCandidate",
                ),
                migrations.DeleteModel(
                    name="Ownership",
                ),
                migrations.DeleteModel(
                    name="OwnershipConflict",
                ),
            ],
        ),
    ]
