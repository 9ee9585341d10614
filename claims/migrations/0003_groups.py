"""The three groups, each with the least model permissions its work needs.

- editor: maintains articles, claims, entities, ownership, domains (admin), may decide and
  override; sees snapshots and the audit trail read-only.
- reviewer: reads everything the queue shows, attaches evidence, decides (no admin access: the
  desk is the web queue).
- api-consumer: reads claims, evidence, publishers and snapshots; writes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS: dict[str, list[str]] = {
    "editor": [
        "claims.view_article",
        "claims.add_article",
        "claims.change_article",
        "claims.view_claim",
        "claims.add_claim",
        "claims.change_claim",
        "claims.decide_claim",
        "claims.override_decision",
        "claims.view_evidence",
        "claims.add_evidence",
        "claims.change_evidence",
        "claims.view_statuschange",
        "sources.view_entity",
        "sources.add_entity",
        "sources.change_entity",
        "sources.view_domain",
        "sources.add_domain",
        "sources.change_domain",
        "sources.delete_domain",
        "sources.view_ownership",
        "sources.add_ownership",
        "sources.change_ownership",
        "sources.delete_ownership",
        "sources.view_snapshot",
    ],
    "reviewer": [
        "claims.view_article",
        "claims.view_claim",
        "claims.decide_claim",
        "claims.view_evidence",
        "claims.add_evidence",
        "claims.view_statuschange",
        "sources.view_entity",
        "sources.view_domain",
        "sources.view_ownership",
        "sources.view_snapshot",
    ],
    "api-consumer": [
        "claims.view_article",
        "claims.view_claim",
        "claims.view_evidence",
        "sources.view_entity",
        "sources.view_domain",
        "sources.view_ownership",
        "sources.view_snapshot",
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_statuschange_append_only"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
