"""The vetting report's publication flag on Article, and the permission to set it, which the
editor group gets (issue 12; the groups are in claims 0003)."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="editor")
    editor.permissions.add(
        Permission.objects.get(content_type__app_label="claims", codename="publish_report")
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="editor").first()
    if editor is not None:
        editor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="claims", codename="publish_report")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_statuschange_sqlite_trigger_again"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_on", "-created_at"],
                "permissions": [("publish_report", "Can publish an article's vetting report")],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="report_published",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="The vetting report is public (read-only) at its report URL.",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="report_published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="report_published_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
