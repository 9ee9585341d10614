"""Editors manage webhook endpoints, read their delivery log, and revoke API tokens in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_EXTRA = [
    ("claims", "view_webhookendpoint"),
    ("claims", "add_webhookendpoint"),
    ("claims", "change_webhookendpoint"),
    ("claims", "delete_webhookendpoint"),
    ("claims", "view_webhookdelivery"),
    ("knox", "view_authtoken"),
    ("knox", "delete_authtoken"),
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
        ("claims", "0004_webhooks"),
        ("knox", "0009_extend_authtoken_field"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
