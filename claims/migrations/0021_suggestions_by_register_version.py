"""Stored suggestions name the register version (ownership 0006) they were computed against,
instead of an md5 of the whole register.

Rows that were current stay current: when the state's fingerprint is the register's md5 now
(spelled as ownership.chains spelled it before this migration, frozen below), the state takes
the register's version; otherwise it takes none, and the next write starts a new generation
as it would have before.
"""

import hashlib

from django.db import migrations, models
from django.db.models import Q


def _spelled_md5(apps) -> str:
    Entity = apps.get_model("ownership", "Entity")
    Ownership = apps.get_model("ownership", "Ownership")
    text = "".join(
        f"{i}:{len(n)}:{n}{len(k)}:{k}{len(c)}:{c}{len(r)}:{r}"
        for i, n, k, c, r in Entity.objects.order_by("id").values_list(
            "id", "name", "kind", "country", "public_role"
        )
    )
    text += "|" + "".join(
        f"{o}>{d}{'+' if confirmed else '-'};"
        for o, d, confirmed in Ownership.objects.filter(Q(controlling=True) | Q(stake_pct__gt=50))
        .order_by("owner_id", "owned_id")
        .values_list("owner_id", "owned_id", "confirmed")
    )
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def carry_over(apps, schema_editor):
    SuggestionState = apps.get_model("claims", "SuggestionState")
    ClaimSuggestion = apps.get_model("claims", "ClaimSuggestion")
    RegisterVersion = apps.get_model("ownership", "RegisterVersion")
    state = SuggestionState.objects.filter(pk=1).first()
    version = RegisterVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    if state is None or version is None or not state.graph_fingerprint:
        return
    if state.graph_fingerprint != _spelled_md5(apps):
        return
    state.graph_version = version
    state.save(update_fields=["graph_version"])
    ClaimSuggestion.objects.filter(graph_fingerprint=state.graph_fingerprint).update(
        graph_version=version
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0020_entities_in_ownership"),
        ("ownership", "0006_register_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimsuggestion",
            name="graph_version",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="suggestionstate",
            name="graph_version",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(
            model_name="claimsuggestion",
            name="graph_fingerprint",
        ),
        migrations.RemoveField(
            model_name="suggestionstate",
            name="graph_fingerprint",
        ),
    ]
