"""ClaimProposal moves to the `intake` app (issue 27): removed from claims' migration state
only. The table `claims_claimproposal` (and its many-to-many table) stays, with its rows;
intake's first migration takes it over under the same name and relabels its content type, so
permissions and groups keep pointing at the same rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("claims", "0014_merge_20261203_0714")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ClaimProposal")],
            database_operations=[],
        )
    ]
