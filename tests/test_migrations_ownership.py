"""The move of entities and ownership from `sources` to `ownership` on a database that already
holds them: built at the schema main had before the move (sources 0006, claims 0014, no
ownership app), filled with rows and a group holding the old `sources.*` permissions, then
migrated forward. The rows keep their ids and links, and the grants are `ownership.*`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ownership.models import Domain, Entity, Ownership
from tests.factories import ensure_groups

BEFORE_MOVE = [
    ("ownership", None),
    ("sources", "0007_snapshot_capture"),
    ("claims", "0019_api_consumers_token_use"),
    ("intake", "0002_claimproposal_named_subjects"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_moving_the_models_keeps_rows_links_and_permissions():
    # The desk's groups, as migrate made them (an earlier transactional test's flush may have
    # emptied the auth tables).
    ensure_groups()
    # And their content types: a flush (and the manager's cache of what it saw before) may
    # leave the current apps without rows until something asks for them.
    from django.apps import apps
    from django.contrib.contenttypes.management import create_contenttypes

    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
    assert ContentType.objects.filter(app_label="ownership", model="entity").exists()
    try:
        old = migrate(BEFORE_MOVE)
        with pytest.raises(LookupError):
            old.get_model("ownership", "Entity")
        OldEntity = old.get_model("sources", "Entity")
        OldOwnership = old.get_model("sources", "Ownership")
        OldDomain = old.get_model("sources", "Domain")
        OldPermission = old.get_model("auth", "Permission")
        OldGroup = old.get_model("auth", "Group")
        OldUser = old.get_model("auth", "User")
        OldContentType = old.get_model("contenttypes", "ContentType")

        # The content types are back under `sources`, as a database before the move has them.
        assert OldContentType.objects.filter(app_label="sources", model="entity").exists()
        assert not OldContentType.objects.filter(app_label="ownership").exists()

        state = OldEntity.objects.create(
            name="People's Republic of China", slug="prc", kind="state"
        )
        soe = OldEntity.objects.create(
            name="China Northern Rare Earth", slug="northern-rare-earth", kind="soe", country="CN"
        )
        edge = OldOwnership.objects.create(
            owner=state, owned=soe, stake_pct="63.000", controlling=True, basis="annual report"
        )
        OldDomain.objects.create(domain="cnree.com", entity=soe)
        group = OldGroup.objects.create(name="registry-staff")
        granted = ["view_entity", "change_ownership", "add_domain", "view_ownershipconflict"]
        group.permissions.set(
            OldPermission.objects.filter(content_type__app_label="sources", codename__in=granted)
        )
        assert group.permissions.count() == len(granted)
        user = OldUser.objects.create(username="clerk")
        user.user_permissions.set(
            OldPermission.objects.filter(content_type__app_label="sources", codename="view_entity")
        )
        editor_before = set(
            OldGroup.objects.get(name="editor").permissions.values_list("codename", flat=True)
        )

        migrate(leaves())

        moved = Ownership.objects.select_related("owner", "owned").get(pk=edge.pk)
        assert (moved.owner.slug, moved.owned.slug) == ("prc", "northern-rare-earth")
        assert str(moved.stake_pct) == "63.000" and moved.controlling
        assert Entity.objects.get(pk=soe.pk).domains.get().domain == "cnree.com"
        assert Domain.objects.count() == 1

        def held(group_name: str) -> set[str]:
            return {
                f"{p.content_type.app_label}.{p.codename}"
                for p in Group.objects.get(name=group_name).permissions.select_related(
                    "content_type"
                )
            }

        assert held("registry-staff") == {f"ownership.{c}" for c in granted}
        clerk = User.objects.get(pk=user.pk)
        assert clerk.has_perm("ownership.view_entity")
        assert not clerk.has_perm("sources.view_entity")
        # The desk's groups lost nothing in the move.
        assert {p.split(".")[1] for p in held("editor")} == editor_before
        assert "ownership.change_ownership" in held("editor")
        assert "ownership.view_entity" in held("api-consumer")
        assert "sources.view_snapshot" in held("api-consumer")
        # One content type per model, under its new app; none left behind.
        assert not ContentType.objects.filter(
            app_label="sources", model__in=["entity", "ownership", "domain"]
        ).exists()
        assert ContentType.objects.get_for_model(Entity).app_label == "ownership"
        assert not Permission.objects.filter(
            content_type__app_label="sources", codename="view_entity"
        ).exists()
    finally:
        migrate(leaves())
