"""The moved models' content types say `ownership` now, so that the permissions the groups hold
(claims 0003 and 0007 granted `sources.view_entity`, ...) are `ownership.view_entity` and so
on, and the admin's history keeps pointing at the same rows.

A database migrated before the move has one content type per model, labelled `sources`: it is
relabelled in place, its permissions (and so every group's and user's grant) follow it. Where a
`create_permissions` call already made an `ownership` one as well (a migration plan that ran
ownership 0001 before the group migrations), the grants and admin history move onto the
`ownership` permission and the `sources` duplicate is deleted.
"""

from django.conf import settings
from django.db import migrations

MODELS = [
    "entity",
    "domain",
    "ownership",
    "externalrecord",
    "ownershipconflict",
    "matchcandidate",
    "reportingexception",
]


def _relabel(apps, old_label: str, new_label: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    LogEntry = apps.get_model("admin", "LogEntry")
    group_perms = Group.permissions.through
    user_perms = User.user_permissions.through
    for model in MODELS:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        for perm in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(content_type=new, codename=perm.codename).first()
            if twin is None:
                perm.content_type = new
                perm.save(update_fields=["content_type"])
                continue
            for through, owner in ((group_perms, "group_id"), (user_perms, "user_id")):
                held = set(through.objects.filter(permission=twin).values_list(owner, flat=True))
                for row in through.objects.filter(permission=perm):
                    if getattr(row, owner) not in held:
                        through.objects.create(**{owner: getattr(row, owner)}, permission=twin)
            perm.delete()
        LogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()


def forwards(apps, schema_editor):
    _relabel(apps, "sources", "ownership")


def backwards(apps, schema_editor):
    _relabel(apps, "ownership", "sources")


class Migration(migrations.Migration):
    dependencies = [
        ("ownership", "0001_initial"),
        ("sources", "0007_ownership_moved_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
