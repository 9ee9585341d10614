"""The register version (ownership.models.RegisterVersion): the database's triggers change it on
every write to what the control graph is built from, by whatever path, and on nothing else.
Every read of a kept graph or a stored suggestion trusts it, so each column counts here."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from claims.materialised import current_row, read_annotations
from claims.models import Claim, SuggestionState
from ownership import chains
from ownership.models import Entity, Ownership, RegisterVersion
from tests.factories import ClaimFactory, EntityFactory, EvidenceFactory, OwnershipFactory

pytestmark = pytest.mark.django_db

E, O = Entity._meta.db_table, Ownership._meta.db_table  # noqa: E741


def version() -> int | None:
    return chains.register_version()


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def pair():
    owner = EntityFactory(name="Owner", slug="owner", kind=Entity.Kind.STATE, country="CN")
    owned = EntityFactory(name="Owned", slug="owned")
    edge = OwnershipFactory(owner=owner, owned=owned)  # controlling
    return owner, owned, edge


@pytest.mark.parametrize(
    ("column", "value"),
    [("name", "Renamed"), ("kind", "soe"), ("country", "RU"), ("public_role", "Minister")],
)
def test_each_graph_column_of_an_entity_changes_the_version_in_raw_sql(pair, column, value):
    owner = pair[0]
    before = version()
    raw(f"UPDATE {E} SET {column} = %s WHERE id = %s", [value, owner.pk])
    assert version() not in (None, before)


@pytest.mark.parametrize(
    "change",
    [
        {"controlling": False},  # stake NULL: no longer confers control
        {"confirmed": False},
        {"owner_id": "other"},
        {"owned_id": "other"},
    ],
)
def test_each_graph_column_of_a_controlling_edge_changes_the_version(pair, change):
    edge = pair[2]
    other = EntityFactory(name="Other", slug="other")
    change = {k: other.pk if v == "other" else v for k, v in change.items()}
    before = version()
    Ownership.objects.filter(pk=edge.pk).update(**change)
    assert version() not in (None, before)


def test_a_stake_crossing_half_changes_the_version_and_a_stake_below_it_does_not(pair):
    _owner, owned, _ = pair
    third = EntityFactory(name="Third", slug="third")
    minority = OwnershipFactory(owner=third, owned=owned, controlling=False, stake_pct=20)
    before = version()
    Ownership.objects.filter(pk=minority.pk).update(stake_pct=30)
    assert version() == before  # 20% → 30%: neither confers control
    Ownership.objects.filter(pk=minority.pk).update(stake_pct=51)
    assert version() not in (None, before)


def test_writes_outside_the_graph_leave_the_version_alone(pair):
    owner, owned, edge = pair
    before = version()
    # Columns the graph does not read, and a save that writes every column unchanged.
    Entity.objects.filter(pk=owner.pk).update(basis="A filing", lei="", aliases=["O"])
    raw(f"UPDATE {O} SET source_file = 'x.json' WHERE id = %s", [edge.pk])
    Entity.objects.get(pk=owned.pk).save()
    Ownership.objects.get(pk=edge.pk).save()
    # A non-controlling edge inserted and deleted.
    minority = OwnershipFactory(owner=owned, owned=owner, controlling=False, stake_pct=10)
    minority.delete()
    assert version() == before


def test_inserts_and_deletes_change_it(pair):
    owner, _owned, _edge = pair
    seen = {version()}
    newcomer = EntityFactory(name="New", slug="new")
    seen.add(version())
    edge2 = OwnershipFactory(owner=owner, owned=newcomer)
    seen.add(version())
    edge2.delete()
    seen.add(version())
    newcomer.delete()
    seen.add(version())
    assert None not in seen and len(seen) == 5


def test_a_kept_graph_follows_every_change_and_is_reused_while_nothing_changes(pair):
    owner, _owned, _edge = pair
    chains._kept = None
    first = chains.current_graph()
    assert chains.current_graph() is first  # nothing changed: the kept graph, one query
    raw(f"UPDATE {E} SET name = 'Owner (renamed)' WHERE id = %s", [owner.pk])
    second = chains.current_graph()
    assert second is not first and second.name(owner.pk) == "Owner (renamed)"
    assert second.version == version()


def test_the_triggers_are_installed_on_both_tables():
    """A migration that remakes one of the tables (SQLite's way of altering a table) would drop
    its triggers without a word: this fails first."""
    if connection.vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = %s::regclass"
        names = set()
        for table in (E, O):
            with connection.cursor() as cursor:
                cursor.execute(sql, [table])
                names |= {r[0] for r in cursor.fetchall()}
        events = ("insert", "update", "delete", "truncate")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {r[0] for r in cursor.fetchall()}
        events = ("insert", "update", "delete")
    want = {f"ownership_registerversion_{t}_{e}" for t in ("entity", "edge") for e in events}
    assert want <= names


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement-level triggers are PostgreSQL's"
)
def test_a_bulk_statement_changes_the_version_once_on_postgresql():
    def last_value() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM ownership_register_version_seq")
            return cursor.fetchone()[0]

    before = last_value()
    Entity.objects.bulk_create(
        [Entity(name=f"Bulk {i}", slug=f"bulk-{i}", kind="private_company") for i in range(300)]
    )
    assert last_value() == before + 1
    Entity.objects.filter(slug__startswith="bulk-").update(country="AU")
    assert last_value() == before + 2
    raw(f"TRUNCATE {O}, {E} CASCADE")
    assert last_value() > before + 2


def test_stored_suggestions_stop_being_used_when_the_register_changes_behind_their_back(pair):
    _owner, owned, edge = pair
    claim = ClaimFactory(origin=owned)
    EvidenceFactory(claim=claim)
    state = SuggestionState.objects.get(pk=1)
    assert state.graph_version == version()

    def stored():  # the reads' own check, as the API runs it
        found = Claim.objects.select_related("materialised").annotate(**read_annotations())
        return current_row(found.get(pk=claim.pk))

    assert stored() is not None
    raw(f"UPDATE {O} SET confirmed = false WHERE id = %s", [edge.pk])
    assert stored() is None
    assert version() != state.graph_version


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_current_rows_current():
    """Upgrading a database whose stored suggestions were current (by the md5 fingerprint the
    state kept before) leaves them current under the register version."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before = [
        ("claims", "0020_entities_in_ownership"),
        ("ownership", "0005_imported_from_bods_choice"),
    ]
    try:
        executor.migrate(before)
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps
        OldEntity = old.get_model("ownership", "Entity")
        OldOwnership = old.get_model("ownership", "Ownership")
        OldState = old.get_model("claims", "SuggestionState")
        a = OldEntity.objects.create(name="Ä", slug="a", kind="state", country="CN")
        b = OldEntity.objects.create(name="B", slug="b", kind="soe", country="CN")
        OldOwnership.objects.create(owner=a, owned=b, controlling=True, confirmed=False)
        OldOwnership.objects.create(owner=b, owned=a, stake_pct=10)  # not controlling
        carry = importlib.import_module("claims.migrations.0021_suggestions_by_register_version")
        fingerprint = carry._spelled_md5(old)
        OldState.objects.update_or_create(
            pk=1, defaults={"graph_fingerprint": fingerprint, "generation": 7}
        )
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        state = SuggestionState.objects.get(pk=1)
        assert state.generation == 7
        assert state.graph_version == RegisterVersion.objects.get(pk=1).version

        # A stale fingerprint carries nothing over.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps
        old.get_model("claims", "SuggestionState").objects.filter(pk=1).update(
            graph_fingerprint="0" * 32
        )
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        assert SuggestionState.objects.get(pk=1).graph_version is None
    finally:
        MigrationExecutor(connection).migrate(leaves)
