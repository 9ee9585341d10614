"""BODS 0.4: the seed world exports valid statements (vendored published schema), with state
and stateBody entities, legal-framework control and shareholdings, and reads back unchanged."""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command

from ownership.bods import SCHEMA_DIR, export_statements, validate
from ownership.bods_read import parse_statements
from ownership.ftm import whole_graph
from ownership.imports import write_import
from ownership.models import Ownership
from tests.factories import EntityFactory, OwnershipFactory
from tests.ownership_world import chains, empty_the_desk, register


@pytest.fixture
def statements(seeded):
    entities, edges = whole_graph()
    return export_statements(entities=entities, edges=edges)


def test_the_vendored_schema_is_the_published_0_4(db):
    root = json.loads((SCHEMA_DIR / "statement.json").read_text())
    assert root["version"] == "0.4" and root["$id"] == "urn:statement"
    assert (SCHEMA_DIR / "ORIGIN.md").exists()


def test_the_seed_world_exports_valid_bods_0_4(statements):
    assert validate(statements) == []
    assert len(statements) == 104 + 83
    by_record = {s["recordId"]: s for s in statements}
    assert by_record["reex-prc"]["recordDetails"]["entityType"]["type"] == "state"
    sasac = by_record["reex-sasac"]["recordDetails"]
    assert sasac["entityType"] == {
        "type": "stateBody",
        "subtype": "governmentDepartment",
        "details": "Government body",
    }
    assert sasac["jurisdiction"] == {"name": "China", "code": "CN"}
    interests = [
        i["type"]
        for s in statements
        if s["recordType"] == "relationship"
        for i in s["recordDetails"]["interests"]
    ]
    assert "controlByLegalFramework" in interests and "shareholding" in interests
    shares = [
        i["share"]
        for s in statements
        if s["recordType"] == "relationship"
        for i in s["recordDetails"]["interests"]
        if "share" in i
    ]
    assert all(0 <= share["exact"] <= 100 for share in shares) and shares
    for s in statements:
        assert s["source"]["type"], s["recordId"]
        assert s["publicationDetails"]["bodsVersion"] == "0.4"


def test_the_validator_catches_what_the_schema_forbids(statements):
    broken = copy.deepcopy(statements)
    rel = next(s for s in broken if s["recordType"] == "relationship")
    rel["recordDetails"]["interests"][0]["type"] = "friendship"
    ent = next(s for s in broken if s["recordType"] == "entity")
    ent["recordDetails"]["entityType"]["type"] = "club"
    del broken[-1]["statementDate"]
    errors = validate(broken)
    assert any("'friendship' is not one of" in e for e in errors)
    assert any("'club' is not one of" in e for e in errors)
    assert any("'statementDate' is a required property" in e for e in errors)


def test_the_seed_world_round_trips_through_bods(statements):
    before_register, before_chains = register(), chains()
    orgs, edges, _ = parse_statements(json.loads(json.dumps(statements)))
    empty_the_desk()
    summary = write_import(
        source=Ownership.Source.FTM, file_name="seed.bods.json", orgs=orgs, edges=edges
    )
    assert (summary.entities_added, summary.added) == (104, 83)
    assert register() == before_register
    assert chains() == before_chains


def test_consolidation_and_imports_say_so_in_bods(db):
    parent = EntityFactory(slug="parent", kind="private_company", lei="213800ABCDEFGHIJKL82")
    child = EntityFactory(slug="child", kind="private_company")
    OwnershipFactory(
        owner=parent,
        owned=child,
        controlling=True,
        nature="consolidation",
        source="gleif",
        source_file="rr.csv",
        confirmed=True,
    )
    entities, edges = whole_graph()
    statements = export_statements(entities=entities, edges=edges)
    assert validate(statements) == []
    rel = next(s for s in statements if s["recordType"] == "relationship")
    interest = rel["recordDetails"]["interests"][0]
    assert interest["type"] == "otherInfluenceOrControl"
    assert "not a shareholding" in interest["details"]
    assert rel["source"]["type"] == ["officialRegister", "verified"]
    ids = next(s for s in statements if s["recordId"] == "reex-parent")["recordDetails"][
        "identifiers"
    ]
    assert {
        "id": "213800ABCDEFGHIJKL82",
        "scheme": "XI-LEI",
        "schemeName": "Global Legal Entity Identifier Index",
    } in ids


def test_export_bods_command_writes_valid_json(seeded, tmp_path):
    path = tmp_path / "seed.bods.json"
    err = StringIO()
    call_command("export_bods", "--output", str(path), stderr=err)
    data = json.loads(path.read_text())
    assert validate(data) == [] and len(data) == 187
    path2 = tmp_path / "sasac.bods.json"
    call_command("export_bods", "--entity", "sasac", "--output", str(path2))
    small = json.loads(path2.read_text())
    assert validate(small) == [] and 3 < len(small) < 187
