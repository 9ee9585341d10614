"""Claim.changed_at (when anything the API shows of a claim last changed) and its (changed_at,
id) index, the sync feed's keyset. Existing claims get the latest of their own `updated_at`, their
evidence's and their evidence snapshots' (what `updated_since` matched before)."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

import claims.models


def fill(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Evidence = apps.get_model("claims", "Evidence")

    def latest(field):
        return Coalesce(
            Subquery(
                Evidence.objects.filter(claim_id=OuterRef("pk"))
                .values("claim_id")
                .annotate(m=Max(field))
                .values("m")[:1]
            ),
            "updated_at",
        )

    Claim.objects.update(
        changed_at=Greatest("updated_at", latest("updated_at"), latest("snapshot__updated_at"))
    )


class Migration(migrations.Migration):
    dependencies = [("claims", "0014_merge_20261203_0714")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="changed_at",
            field=models.DateTimeField(db_default=claims.models.ChangedNow(), editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["changed_at", "id"], name="claim_changed_id"),
        ),
    ]
