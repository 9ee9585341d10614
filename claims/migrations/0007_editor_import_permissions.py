"""Editors read imported provenance and resolve import conflicts and name matches in the admin
(docs/ownership-data.md). Here, beside the other group migrations: the groups are the
desk's (claims 0003 sets the editor's permissions; this runs after it)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_EXTRA = [
    "view_ownershipconflict",
    "change_ownershipconflict",
    "view_matchcandidate",
    "change_matchcandidate",
    "view_reportingexception",
    "view_externalrecord",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="editor")
    for codename in EDITOR_EXTRA:
        editor.permissions.add(
            Permission.objects.get(content_type__app_label="sources", codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="editor").first()
    if editor is None:
        return
    for perm in Permission.objects.filter(
        content_type__app_label="sources", codename__in=EDITOR_EXTRA
    ):
        editor.permissions.remove(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_webhook_unqueued"),
        ("sources", "0003_ownership_imports_ftm_gleif"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
