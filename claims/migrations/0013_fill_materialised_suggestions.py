"""Fill the stored suggestions (claims/materialised.py) for the claims that exist.

Calls the project's own rebuild, not historical models: the suggestion rule is code, and a row
computed by anything else would differ from what the write paths store. Reads compute whatever
a row lacks, so a database migrated without rows (or with wrong ones) still answers right;
`manage.py recompute_suggestions` rebuilds them at any time."""

from django.db import migrations


def fill(apps, schema_editor) -> None:
    SuggestionState = apps.get_model("claims", "SuggestionState")
    SuggestionState.objects.get_or_create(pk=1)
    if not apps.get_model("claims", "Claim").objects.exists():
        return
    from claims.materialised import suggestions_rebuild

    suggestions_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0012_materialised_suggestions"),
        ("sources", "0004_merge_20261202_2104"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
