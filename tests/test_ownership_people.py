"""A sanctions network as OpenSanctions publishes it (tests/data/sanctions_network.ftm.json:
5 people, 7 organisations, a sanction, 14 Ownership records of which 11 are owned by people,
names in Cyrillic and Chinese, a former name listed first, two repeated pairs) imports whole;
people own and control in chains and pictures; an editor's admin edit survives a re-import;
bad identifiers and dates are refused with their line."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ownership.chains import load_graph
from ownership.models import Entity, ExternalRecord, Ownership, OwnershipConflict
from ownership.svg import entity_picture

NETWORK = Path(__file__).parent / "data" / "sanctions_network.ftm.json"


def import_ftm(path: Path) -> str:
    out = StringIO()
    call_command("import_ftm", str(path), stdout=out)
    return out.getvalue()


def by_key(key: str) -> Entity:
    return ExternalRecord.objects.get(source="ftm", key=key).entity


def edge(owner_key: str, owned_key: str) -> Ownership:
    return Ownership.objects.get(owner=by_key(owner_key), owned=by_key(owned_key))


@pytest.mark.django_db
def test_every_edge_and_every_person_of_a_real_shaped_file_is_imported():
    out = import_ftm(NETWORK)
    # 14 records, two pairs repeated: 12 edges, 11 of the records owned by people.
    assert "12 added" in out and "2 repeated records of a pair merged" in out
    assert "entities: 12 added" in out and "1 Sanction" in out
    assert Ownership.objects.count() == 12
    people = Entity.objects.filter(kind="person")
    assert people.count() == 5
    assert Ownership.objects.filter(owner__kind="person").count() == 9  # 11 records, 2 merged
    lines = [json.loads(line) for line in NETWORK.read_text(encoding="utf-8").splitlines()]
    for rec in lines:
        if rec["schema"] == "Ownership":
            owner, asset = rec["properties"]["owner"][0], rec["properties"]["asset"][0]
            assert edge(owner, asset)  # every record has its edge

    sidorov = by_key("NK-sidorov")
    # The name in its own script first, the transliteration as an alias, an ASCII slug.
    assert sidorov.name == "Иван Петрович Сидоров" and sidorov.kind == "person"
    assert {"Ivan Petrovich Sidorov", "Ivan Sidorov"} <= set(sidorov.aliases)
    assert sidorov.slug == "ivan-petrovich-sidorov" and sidorov.country == "RU"
    assert sidorov.public_role.startswith("politically exposed person; Deputy Minister")
    assert sidorov.topics == ["role.pep", "sanction"]
    wang = by_key("NK-wang")
    assert (wang.name, wang.slug) == ("王建国", "wang-jian-guo")
    assert by_key("NK-kuznetsov").name == "Дмитрий Кузнецов"  # firstName + lastName
    baotou = by_key("NK-baotou")
    assert baotou.slug == "bao-tou-xi-tu-mao-yi-you-xian-gong-si"
    assert baotou.uscc == "91150200701463622P"
    assert by_key("NK-severny").lei == "5299007KRASMET000208"
    # The current name first, the former one kept as an alias.
    arctic = by_key("NK-arctic")
    assert arctic.name == "Arctic Rare Metals JSC"
    assert (
        "Polar Minerals JSC" in arctic.aliases
        and "АО «Арктические редкие металлы»" in arctic.aliases
    )
    assert by_key("NK-rosredmet").kind == "soe" and by_key("NK-rosim").kind == "government_body"
    assert not Entity.objects.filter(slug__startswith="entity").exists()
    assert all(e.slug.isascii() for e in Entity.objects.all())

    # Control from the structured fields only.
    assert not edge("NK-smirnova", "NK-arctic").controlling  # "Non-controlling interest"
    assert edge("NK-volkov", "NK-nordic").controlling  # "Controlling shareholder", no stake
    assert not edge("NK-smirnova", "NK-greenfield").controlling  # "Nominee director"
    # A repeated pair that agrees, merged field by field: the fuller value of each.
    merged = edge("NK-volkov", "NK-severny")
    assert merged.stake_pct == Decimal("25.000")
    assert str(merged.start_date) == "2019-01-01" and str(merged.as_of) == "2023-06-30"
    assert merged.citation_url == "https://example.org/registry/severny-2023"
    assert not OwnershipConflict.objects.filter(ownership=merged).exists()
    # A repeated pair that disagrees (49% and 51%): the first stands, a conflict is opened.
    disputed = edge("NK-kuznetsov", "NK-nordic")
    assert disputed.stake_pct == Decimal("49.000") and str(disputed.as_of) == "2021-12-31"
    conflict = OwnershipConflict.objects.get(ownership=disputed)
    assert conflict.status == "open" and conflict.imported["stake_pct"] == "51.000"
    assert "two records of this file disagree" in conflict.differences
    assert "line 22 is kept, line 23" in conflict.differences


@pytest.mark.django_db
def test_people_control_in_chains_and_the_picture_and_a_role_is_not_state_control():
    import_ftm(NETWORK)
    graph = load_graph()
    arctic, sidorov = by_key("NK-arctic"), by_key("NK-sidorov")
    res = graph.resolve(arctic.pk)
    assert res.controllers == {sidorov.pk}
    assert res.chains == [[arctic.pk, sidorov.pk]]
    assert not res.state_controlled  # a politically exposed person is not a state
    assert any(
        n.startswith("Controlled by a person: Иван Петрович Сидоров (politically exposed person")
        for n in res.notes
    )
    svg = entity_picture(graph=graph, entity_id=arctic.pk).svg
    assert "Иван Петрович Сидоров" in svg and "PERSON" in svg and 'data-kind="person"' in svg
    # A state-owned company under its government body stays state-controlled.
    assert graph.resolve(by_key("NK-rosredmet").pk).state_controlled


@pytest.mark.django_db
def test_re_import_changes_nothing_and_the_export_gives_the_source_ids_back(tmp_path):
    import_ftm(NETWORK)
    again = import_ftm(NETWORK)
    assert "0 added, 12 unchanged, 0 updated, 0 conflicts" in again
    assert OwnershipConflict.objects.count() == 1
    out = tmp_path / "out.ftm.json"
    call_command("export_ftm", "--output", str(out))
    exported = {rec["id"]: rec for rec in map(json.loads, out.read_text().splitlines())}
    for key in ("NK-sidorov", "NK-wang", "NK-arctic", "NK-baotou", "NK-own-wang-baotou"):
        assert key in exported
    assert exported["NK-sidorov"]["schema"] == "Person"
    assert "role.pep" in exported["NK-sidorov"]["properties"]["topics"]
    assert exported["NK-own-sidorov-arctic"]["properties"]["owner"] == ["NK-sidorov"]
    assert exported["NK-wang"]["properties"]["name"] == ["王建国"]
    # Imported into an empty register, the export is the same register again.
    Ownership.objects.all().delete()
    OwnershipConflict.objects.all().delete()
    ExternalRecord.objects.all().delete()
    Entity.objects.all().delete()
    summary = import_ftm(out)
    assert "12 added" in summary and Entity.objects.filter(kind="person").count() == 5
    assert by_key("NK-sidorov").slug == "ivan-petrovich-sidorov"


@pytest.mark.django_db
def test_an_editors_admin_edit_of_an_imported_edge_survives_a_re_import(client, editor):
    import_ftm(NETWORK)
    imported = edge("NK-sidorov", "NK-arctic")
    # "Beneficial owner" is no control term; the 51% stake confers control by itself.
    assert imported.source == "ftm" and not imported.controlling
    client.force_login(editor)
    url = f"/admin/ownership/ownership/{imported.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "owner": imported.owner_id,
            "owned": imported.owned_id,
            "stake_pct": "45",
            "citation_url": imported.citation_url,
            "as_of": "2025-01-15",
            "basis": "Registry extract of 15 January 2025: the stake was sold down.",
            "nature": imported.nature,
            "interest_level": imported.interest_level,
            "start_date": imported.start_date.isoformat(),
            "end_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    imported.refresh_from_db()
    assert imported.stake_pct == Decimal("45.000")
    # The editor's now, with where it came from kept.
    assert imported.source == "editor" and imported.imported_from == "ftm"
    assert imported.source_file == "sanctions_network.ftm.json"
    assert imported.source_record == "NK-own-sidorov-arctic"

    out = import_ftm(NETWORK)
    assert "1 conflicts" in out
    imported.refresh_from_db()
    assert imported.stake_pct == Decimal("45.000") and imported.source == "editor"
    conflict = OwnershipConflict.objects.get(ownership=imported)
    assert "stake 45.000% here, 51.000% imported" in conflict.differences
    # A third import raises nothing new; the editor's word still stands.
    assert "0 conflicts" in import_ftm(NETWORK)
    assert OwnershipConflict.objects.filter(ownership=imported).count() == 1


def _write(tmp_path: Path, records: list[dict]) -> Path:
    path = tmp_path / "bad.ftm.json"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def _company(id_: str, **props) -> dict:
    return {"id": id_, "schema": "Company", "properties": {"name": [id_.title()], **props}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("props", "words"),
    [
        (
            {"leiCode": ["5299007KRASMET000209"]},
            "leiCode '5299007KRASMET000209' is not a valid LEI",
        ),
        ({"leiCode": ["5299007KRAS"]}, "is not a valid LEI"),
        ({"uscCode": ["91150200701463622Q"]}, "is not a valid Unified Social Credit Code"),
        ({"incorporationDate": ["2020"], "leiCode": ["not-an-lei"]}, "not a valid LEI"),
    ],
)
def test_a_bad_identifier_is_refused_with_its_line(tmp_path, props, words):
    path = _write(tmp_path, [_company("alpha"), _company("beta"), _company("gamma", **props)])
    with pytest.raises(CommandError) as refused:
        import_ftm(path)
    assert "line 3:" in str(refused.value) and words in str(refused.value)
    assert "nothing was imported" in str(refused.value)
    assert Entity.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["2021-02-30", "30.06.2021", "2021-13", "yesterday"])
def test_a_bad_date_is_refused_with_its_line(tmp_path, bad):
    records = [
        _company("alpha"),
        _company("beta"),
        {
            "id": "o",
            "schema": "Ownership",
            "properties": {"owner": ["alpha"], "asset": ["beta"], "startDate": [bad]},
        },
    ]
    with pytest.raises(CommandError) as refused:
        import_ftm(_write(tmp_path, records))
    assert f"line 3: startDate {bad!r} is not a date" in str(refused.value)
    assert Ownership.objects.count() == 0 and Entity.objects.count() == 0


@pytest.mark.django_db
def test_an_edit_among_an_entitys_holdings_makes_the_edge_the_editors(client, editor):
    import lxml.html

    import_ftm(NETWORK)
    wang, baotou = by_key("NK-wang"), by_key("NK-baotou")
    client.force_login(editor)
    url = f"/admin/ownership/entity/{wang.pk}/change/"
    page = lxml.html.fromstring(client.get(url).content)
    form = next(f for f in page.forms if f.get("id") == "entity_form")
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    stake = next(n for n in data if n.startswith("holdings-") and n.endswith("-stake_pct"))
    assert data[stake] == ["60.000"]
    data[stake] = ["35"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    held = Ownership.objects.get(owner=wang, owned=baotou)
    assert held.stake_pct == Decimal("35.000")
    assert (held.source, held.imported_from, held.source_record) == (
        "editor",
        "ftm",
        "NK-own-wang-baotou",
    )
    assert "1 conflicts" in import_ftm(NETWORK)
    held.refresh_from_db()
    assert held.stake_pct == Decimal("35.000")


@pytest.mark.django_db
def test_taking_the_other_record_of_a_repeated_pair_survives_a_re_import(editor):
    from ownership.services import conflict_resolve

    import_ftm(NETWORK)
    disputed = edge("NK-kuznetsov", "NK-nordic")
    conflict = OwnershipConflict.objects.get(ownership=disputed)
    conflict_resolve(conflict=conflict, take_imported=True, actor=editor)
    disputed.refresh_from_db()
    assert disputed.stake_pct == Decimal("51.000")
    assert (disputed.source, disputed.imported_from) == ("editor", "ftm")
    import_ftm(NETWORK)
    disputed.refresh_from_db()
    assert disputed.stake_pct == Decimal("51.000")  # the file's first record does not undo it
    reopened = OwnershipConflict.objects.get(ownership=disputed, status="open")
    assert "stake 51.000% here, 49.000% imported" in reopened.differences
    conflict_resolve(conflict=reopened, take_imported=False, actor=editor)
    assert "0 conflicts" in import_ftm(NETWORK)


@pytest.mark.django_db
def test_an_editor_typing_a_bad_lei_gets_a_form_message(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/ownership/entity/add/",
        {
            "name": "Gamma Metals",
            "slug": "gamma-metals",
            "kind": "private_company",
            "aliases": "[]",
            "topics": "[]",
            "lei": "5299007KRASMET000209",
            **{
                f"{prefix}-{field}": value
                for prefix in (
                    "domains",
                    "owners",
                    "holdings",
                    "gleif_exceptions",
                    "external_records",
                )
                for field, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 200
    assert "Not a valid LEI: the number&#x27;s checksum or check digit is invalid" in (
        response.content.decode()
    )
    assert not Entity.objects.filter(slug="gamma-metals").exists()
