"""FollowTheMoney in and out: the seed world round-trips, editors' edges are never replaced,
re-imports change nothing, malformed files are refused whole, and names are only candidates."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.seeding import load_seeds
from ownership.models import (
    Domain,
    Entity,
    ExternalRecord,
    MatchCandidate,
    Ownership,
    OwnershipConflict,
)
from ownership.services import AlreadyResolved, conflict_resolve, match_accept, match_reject
from tests.factories import DomainFactory, EntityFactory, OwnershipFactory
from tests.ownership_world import (
    attach_fixed_evidence,
    chains,
    empty_the_desk,
    register,
    suggestions,
)


def export(tmp_path: Path, *args: str) -> Path:
    path = tmp_path / "out.ftm.json"
    call_command("export_ftm", "--output", str(path), *args)
    return path


def import_ftm(path: Path) -> str:
    out = StringIO()
    call_command("import_ftm", str(path), stdout=out)
    return out.getvalue()


def write_lines(tmp_path: Path, lines: list[dict | str], name: str = "in.ftm.json") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def company(id_: str, name: str, **props) -> dict:
    return {"id": id_, "schema": "Company", "properties": {"name": [name], **props}}


def ownership(id_: str, owner: str, asset: str, **props) -> dict:
    return {
        "id": id_,
        "schema": "Ownership",
        "properties": {"owner": [owner], "asset": [asset], **props},
    }


# ---------------------------------------------------------------------- the round trip
@pytest.mark.django_db
def test_seed_world_round_trips_through_ftm_with_the_same_chains_and_suggestions(seeded, tmp_path):
    attach_fixed_evidence()
    before_register, before_chains, before_suggestions = register(), chains(), suggestions()
    assert any(s["status"] for s in before_suggestions.values())  # the evidence matters
    path = export(tmp_path)

    empty_the_desk()
    assert Entity.objects.count() == 0
    summary = import_ftm(path)
    assert "83 added, 0 unchanged" in summary
    assert "104 added, 0 matched" in summary
    assert register() == before_register
    assert chains() == before_chains

    # The claims come back from the seed files; every entity, domain and edge they need is
    # already there from the FtM file, so the loader creates none of them.
    report = load_seeds()
    assert report.created.get("entities") == 0
    assert report.created.get("ownership") == 0
    assert report.created.get("domains") == 0
    attach_fixed_evidence()
    assert suggestions() == before_suggestions


@pytest.mark.django_db
def test_owned_entities_are_exported_as_companies_and_their_kind_travels_in_classification(
    seeded, tmp_path
):
    lines = [json.loads(line) for line in export(tmp_path).read_text().splitlines()]
    by_id = {line["id"]: line for line in lines}
    owned = {line["properties"]["asset"][0] for line in lines if line["schema"] == "Ownership"}
    for asset in owned:
        assert by_id[asset]["schema"] == "Company", asset
    sasac = by_id["reex-sasac"]  # a government body, owned by its state
    assert sasac["schema"] == "Company"
    assert sasac["properties"]["classification"] == ["Government body"]
    assert sasac["properties"]["topics"] == ["gov"]
    prc = by_id["reex-prc"]  # a state nothing owns stays a PublicBody
    assert prc["schema"] == "PublicBody"
    assert prc["properties"]["topics"] == ["gov.national"]
    assert by_id["reex-northern-rare-earth"]["properties"]["topics"] == ["gov.soe"]


@pytest.mark.django_db
def test_neighbourhood_export_holds_the_entities_within_depth_and_their_edges(seeded, tmp_path):
    path = export(tmp_path, "--entity", "sasac", "--depth", "1")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    ids = {line["id"] for line in lines if line["schema"] != "Ownership"}
    assert {"reex-sasac", "reex-prc", "reex-state-council"} <= ids
    sasac = Entity.objects.get(slug="sasac")
    neighbours = {o.owner.slug for o in sasac.owners.all()} | {
        o.owned.slug for o in sasac.holdings.all()
    }
    assert ids == {f"reex-{s}" for s in neighbours | {"sasac"}}
    for line in lines:
        if line["schema"] == "Ownership":
            assert line["properties"]["owner"][0] in ids
            assert line["properties"]["asset"][0] in ids


# ---------------------------------------------------------------------- idempotence
@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_lines(
        tmp_path,
        [
            company("a1", "Alpha Holdings", leiCode=["529900T8BM49AURSDO55"]),
            company("b1", "Beta Mining", website=["https://www.beta-mining.example/"]),
            ownership("o1", "a1", "b1", percentage=["60"], sourceUrl=["https://a.example/r"]),
        ],
    )
    first = import_ftm(path)
    assert "1 added, 0 unchanged" in first
    rows = sorted(Ownership.objects.values_list("pk", "updated_at"))
    entities = sorted(Entity.objects.values_list("pk", "updated_at"))
    second = import_ftm(path)
    assert "0 added, 1 unchanged, 0 updated, 0 conflicts, 0 candidates" in second
    assert "0 added, 2 matched" in second
    assert sorted(Ownership.objects.values_list("pk", "updated_at")) == rows
    assert sorted(Entity.objects.values_list("pk", "updated_at")) == entities
    edge = Ownership.objects.get()
    assert (edge.source, edge.source_file, edge.source_record) == ("ftm", "in.ftm.json", "o1")
    assert edge.stake_pct == Decimal("60.000") and edge.imported_at is not None
    assert Domain.objects.get().domain == "beta-mining.example"


# ---------------------------------------------------------------------- conflicts
@pytest.mark.django_db
def test_an_import_that_disagrees_leaves_the_editors_edge_and_records_a_conflict(tmp_path, editor):
    owner = EntityFactory(slug="alpha", name="Alpha Holdings", lei="529900T8BM49AURSDO55")
    owned = EntityFactory(slug="beta", name="Beta Mining", wikidata_id="Q42")
    edge = OwnershipFactory(owner=owner, owned=owned, stake_pct=Decimal("30"), controlling=False)
    path = write_lines(
        tmp_path,
        [
            company("x-alpha", "Alpha Holdings Ltd", leiCode=["529900T8BM49AURSDO55"]),
            company("x-beta", "Beta", wikidataId=["Q42"]),
            ownership("x-o", "x-alpha", "x-beta", percentage=["75"]),
        ],
    )
    out = import_ftm(path)
    assert "0 added, 0 unchanged, 0 updated, 1 conflicts" in out
    edge.refresh_from_db()
    assert edge.stake_pct == Decimal("30") and edge.source == "editor"
    conflict = OwnershipConflict.objects.get()
    assert conflict.ownership == edge and conflict.status == "open"
    assert "stake 30.000% here, 75.000% imported" in conflict.differences
    assert "does not confer control here" in conflict.differences
    # Re-importing raises nothing new.
    assert "1 unchanged, 0 updated, 0 conflicts" in import_ftm(path)
    assert OwnershipConflict.objects.count() == 1

    # The editor keeps theirs: nothing changes, a re-import stays quiet.
    conflict_resolve(conflict=conflict, take_imported=False, actor=editor)
    edge.refresh_from_db()
    assert edge.stake_pct == Decimal("30")
    with pytest.raises(AlreadyResolved):
        conflict_resolve(conflict=conflict, take_imported=True, actor=editor)
    assert "0 conflicts" in import_ftm(path)
    assert OwnershipConflict.objects.count() == 1


@pytest.mark.django_db
def test_taking_the_imported_values_rewrites_the_edge_with_its_provenance(tmp_path, editor):
    owner = EntityFactory(slug="alpha", lei="529900T8BM49AURSDO55")
    owned = EntityFactory(slug="beta", uscc="91150200701464207M")
    edge = OwnershipFactory(owner=owner, owned=owned, stake_pct=None, controlling=False)
    path = write_lines(
        tmp_path,
        [
            company("x-alpha", "Alpha", leiCode=["529900T8BM49AURSDO55"]),
            company("x-beta", "Beta", uscCode=["91150200701464207M"]),
            ownership("x-o", "x-alpha", "x-beta", role=["controlling shareholder"]),
        ],
    )
    import_ftm(path)
    conflict = OwnershipConflict.objects.get()
    conflict_resolve(conflict=conflict, take_imported=True, actor=editor)
    edge.refresh_from_db()
    assert edge.controlling is True and edge.source == "ftm" and edge.source_record == "x-o"
    assert "0 added, 1 unchanged, 0 updated, 0 conflicts" in import_ftm(path)


@pytest.mark.django_db
def test_taking_the_imported_values_takes_every_field_of_the_edge(editor):
    """A BODS import's band and interest level (and every other field it states) are taken,
    not only the stake and control."""
    from datetime import date

    from ownership.imports import write_import
    from ownership.records import EdgeRecord, EdgeValues, OrgRecord

    owner = EntityFactory(slug="alpha", lei="529900T8BM49AURSDO55")
    owned = EntityFactory(slug="beta", uscc="91150200701464207M")
    edge = OwnershipFactory(owner=owner, owned=owned, stake_pct=Decimal("30"), controlling=False)
    values = EdgeValues(
        stake_min=Decimal("50"),
        stake_min_exclusive=True,
        stake_max=Decimal("75"),
        stake_max_exclusive=False,
        interest_level=Ownership.Level.INDIRECT,
        controlling=True,
        confirmed=True,
        citation_url="https://register.example/b",
        as_of=date(2024, 3, 31),
        start_date=date(2019, 1, 2),
        basis="BODS statement",
        nature=Ownership.Nature.CONSOLIDATION,
    )
    write_import(
        source="bods",
        file_name="b.json",
        orgs=[
            OrgRecord(key="x-alpha", name="Alpha", lei="529900T8BM49AURSDO55"),
            OrgRecord(key="x-beta", name="Beta", uscc="91150200701464207M"),
        ],
        edges=[EdgeRecord("x-alpha", "x-beta", values, record="rel-1")],
    )
    conflict = OwnershipConflict.objects.get()

    conflict_resolve(conflict=conflict, take_imported=True, actor=editor)

    edge.refresh_from_db()
    taken = {name: getattr(edge, name) for name in values.fields()}
    assert taken == values.fields()
    assert (edge.source, edge.source_record) == ("bods", "rel-1")


@pytest.mark.django_db
def test_an_agreeing_import_of_an_editors_edge_is_unchanged(seeded, tmp_path):
    path = export(tmp_path)
    out = import_ftm(path)
    assert "0 added, 83 unchanged, 0 updated, 0 conflicts, 0 candidates" in out
    assert not Ownership.objects.exclude(source="editor").exists()


# ---------------------------------------------------------------------- malformed files
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 3: not JSON"),
        ({"id": "z", "schema": "Spaceship", "properties": {}}, "line 3:"),
        ({"id": "z"}, "line 3: an FtM entity needs an object with `id` and `schema`"),
        (ownership("z", "a", "nowhere"), "line 3: edge z names 'nowhere'"),
        (ownership("z", "a", "b", percentage=["140"]), "line 3: percentage 140"),
        (company("z", "", alias=["x"]), "line 3: Company z has no name"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line_and_nothing_is_imported(
    tmp_path, bad_line, message
):
    path = write_lines(
        tmp_path,
        [company("a", "Alpha"), company("b", "Beta"), bad_line, ownership("o", "a", "b")],
    )
    with pytest.raises(CommandError) as excinfo:
        import_ftm(path)
    assert message in str(excinfo.value)
    assert "nothing was imported" in str(excinfo.value)
    assert Entity.objects.count() == 0
    assert Ownership.objects.count() == 0
    assert ExternalRecord.objects.count() == 0


@pytest.mark.django_db
def test_people_own_and_other_schemata_are_skipped_and_counted(tmp_path):
    # Issue 22: people are entities (kind `person`) and their edges are kept; a vessel is not.
    path = write_lines(
        tmp_path,
        [
            company("a", "Alpha"),
            {"id": "p", "schema": "Person", "properties": {"name": ["Jane Doe"]}},
            {"id": "v", "schema": "Vessel", "properties": {"name": ["Sea Star"]}},
            ownership("o", "p", "a", percentage=["90"]),
            ownership("o2", "a", "v", percentage=["100"]),
        ],
    )
    out = import_ftm(path)
    assert "1 Vessel" in out
    assert "1 Ownership edges of things neither an organisation nor a person" in out
    assert Entity.objects.get(slug="jane-doe").kind == "person"
    assert Ownership.objects.get().owner.slug == "jane-doe"


# ---------------------------------------------------------------------- matching
@pytest.mark.django_db
def test_identifiers_match_and_fill_blanks_but_never_overwrite_the_editors_fields(tmp_path):
    existing = EntityFactory(slug="nre", name="Northern Rare Earth", kind="soe", country="CN")
    DomainFactory(domain="reht.com", entity=existing)
    path = write_lines(
        tmp_path,
        [
            company(
                "x",
                "China Northern Rare Earth (Group) High-Tech Co., Ltd.",
                website=["https://www.reht.com/"],
                leiCode=["300300C1050131000021"],
                country=["us"],
            )
        ],
    )
    out = import_ftm(path)
    assert "entities: 0 added, 1 matched (1 given new identifiers or domains)" in out
    existing.refresh_from_db()
    assert existing.name == "Northern Rare Earth" and existing.country == "CN"
    assert existing.lei == "300300C1050131000021"


@pytest.mark.django_db
def test_a_name_match_is_a_candidate_not_a_merge_and_the_editor_decides(tmp_path, editor):
    existing = EntityFactory(slug="baogang", name="Baotou Steel (Group) Co., Ltd.", kind="soe")
    parent = EntityFactory(slug="parent", name="Parent Co")
    path = write_lines(
        tmp_path,
        [
            company("x-b", "Baotou Steel Group", website=["https://btsteel.com"]),
            company("x-p", "Parent Co", leiCode=["529900T8BM49AURSDO55"]),
            ownership("x-o", "x-p", "x-b", percentage=["51"]),
        ],
    )
    out = import_ftm(path)
    assert "2 candidates" in out
    assert Entity.objects.count() == 4  # nothing merged blindly
    cand = MatchCandidate.objects.get(existing=existing)
    imported = cand.imported
    assert imported.name == "Baotou Steel Group"
    assert "baotou steel group" in cand.reason
    # Re-import: the same entities by their record ids, no new candidates.
    assert "0 candidates" in import_ftm(path)
    assert MatchCandidate.objects.count() == 2

    match_accept(candidate=cand, actor=editor)
    assert not Entity.objects.filter(pk=imported.pk).exists()
    existing.refresh_from_db()
    assert "Baotou Steel Group" in existing.aliases
    assert Domain.objects.get(domain="btsteel.com").entity == existing
    other = MatchCandidate.objects.get(existing=parent)
    match_reject(candidate=other, actor=editor)
    assert Entity.objects.filter(pk=other.imported_id).exists()
    # After both decisions, a re-import finds everything and changes nothing.
    out = import_ftm(path)
    assert "0 added, 1 unchanged" in out and "0 candidates" in out
    edge = Ownership.objects.get()
    assert edge.owned == existing and edge.owner == other.imported


@pytest.mark.django_db
def test_admin_lists_conflicts_and_candidates_for_editors(client, editor, tmp_path):
    owner = EntityFactory(slug="alpha", lei="529900T8BM49AURSDO55")
    owned = EntityFactory(slug="beta", name="Beta Mining", wikidata_id="Q42")
    OwnershipFactory(owner=owner, owned=owned, stake_pct=Decimal("30"), controlling=False)
    path = write_lines(
        tmp_path,
        [
            company("x-alpha", "Alpha", leiCode=["529900T8BM49AURSDO55"]),
            company("x-beta", "Beta", wikidataId=["Q42"]),
            company("x-gamma", "Beta Mining Ltd"),
            ownership("x-o", "x-alpha", "x-beta", percentage=["75"]),
        ],
    )
    import_ftm(path)
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    page = client.get("/admin/ownership/ownershipconflict/")
    assert page.status_code == 200 and "75.000% imported" in page.content.decode()
    conflict = OwnershipConflict.objects.get()
    response = client.post(
        "/admin/ownership/ownershipconflict/",
        {"action": "take_imported", "_selected_action": [conflict.pk]},
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == "taken" and conflict.resolved_by == editor
    page = client.get("/admin/ownership/matchcandidate/")
    assert page.status_code == 200 and "Beta Mining Ltd" in page.content.decode()
    response = client.post(
        "/admin/ownership/entity/",
        {"action": "export_ftm", "_selected_action": [owned.pk]},
    )
    assert response.status_code == 200
    assert b'"reex-beta"' in response.content and b'"reex-alpha"' in response.content
