"""GLEIF Level 2 from small golden-copy files written here: consolidation edges for the LEIs
the desk knows, reporting exceptions on the entity, conflicts, re-import, malformed files, and
the API refresh against a local server (never the real host)."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ownership.chains import load_graph
from ownership.models import Ownership, OwnershipConflict, ReportingException
from tests.factories import EntityFactory, OwnershipFactory

CHILD = "5493001KJTIIGC8Y1R12"
PARENT = "213800ABCDEFGHIJKL82"
TOP = "969500PARENT00000113"
STRANGER = "300300C1050131000021"

RR_COLUMNS = [
    "Relationship.StartNode.NodeID",
    "Relationship.StartNode.NodeIDType",
    "Relationship.EndNode.NodeID",
    "Relationship.EndNode.NodeIDType",
    "Relationship.RelationshipType",
    "Relationship.RelationshipStatus",
    "Relationship.Period.1.startDate",
    "Relationship.Period.1.endDate",
    "Relationship.Period.1.periodType",
    "Registration.RegistrationStatus",
    "Registration.LastUpdateDate",
    "Registration.ValidationSources",
]


def rr_row(child, parent, rtype="IS_DIRECTLY_CONSOLIDATED_BY", **extra) -> dict:
    row = {
        "Relationship.StartNode.NodeID": child,
        "Relationship.StartNode.NodeIDType": "LEI",
        "Relationship.EndNode.NodeID": parent,
        "Relationship.EndNode.NodeIDType": "LEI",
        "Relationship.RelationshipType": rtype,
        "Relationship.RelationshipStatus": "ACTIVE",
        "Relationship.Period.1.startDate": "2019-01-01T00:00:00Z",
        "Relationship.Period.1.endDate": "",
        "Relationship.Period.1.periodType": "RELATIONSHIP_PERIOD",
        "Registration.RegistrationStatus": "PUBLISHED",
        "Registration.LastUpdateDate": "2025-05-02T10:00:00Z",
        "Registration.ValidationSources": "FULLY_CORROBORATED",
    }
    row.update(extra)
    return row


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_gleif", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def world(db):
    child = EntityFactory(slug="child", name="Child Mining", kind="private_company", lei=CHILD)
    parent = EntityFactory(slug="parent", name="Parent Holdings", lei=PARENT)
    top = EntityFactory(slug="top", name="Top Group", lei=TOP)
    return child, parent, top


@pytest.fixture
def files(tmp_path):
    rr = write_csv(
        tmp_path / "20251201-0800-gleif-goldencopy-rr-golden-copy.csv",
        RR_COLUMNS,
        [
            rr_row(CHILD, PARENT),
            rr_row(CHILD, TOP, "IS_ULTIMATELY_CONSOLIDATED_BY"),
            rr_row(PARENT, TOP, **{"Registration.ValidationSources": "ENTITY_SUPPLIED_ONLY"}),
            rr_row(TOP, STRANGER),  # the parent is unknown to the desk
            rr_row(STRANGER, TOP),  # the child is unknown to the desk
            rr_row(CHILD, STRANGER, "IS_INTERNATIONAL_BRANCH_OF"),
            rr_row(PARENT, CHILD, **{"Relationship.RelationshipStatus": "INACTIVE"}),
        ],
    )
    repex = write_csv(
        tmp_path / "20251201-0800-gleif-goldencopy-repex-golden-copy.csv",
        ["LEI", "ExceptionCategory", "ExceptionReason", "ExceptionReference"],
        [
            {
                "LEI": TOP,
                "ExceptionCategory": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
                "ExceptionReason": "NATURAL_PERSONS",
                "ExceptionReference": "",
            },
            {
                "LEI": TOP,
                "ExceptionCategory": "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT",
                "ExceptionReason": "NON_PUBLIC",
                "ExceptionReference": "Consent not given",
            },
            {
                "LEI": STRANGER,
                "ExceptionCategory": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
                "ExceptionReason": "NO_KNOWN_PERSON",
                "ExceptionReference": "",
            },
        ],
    )
    return rr, repex


def test_relationships_become_consolidation_edges_that_confer_control(world, files):
    child, parent, top = world
    rr, repex = files
    out = run("--relationships", str(rr), "--exceptions", str(repex))
    assert "3 added, 0 unchanged" in out
    assert "1 IS_INTERNATIONAL_BRANCH_OF relationships" in out
    assert "1 inactive, retired or annulled relationships" in out
    assert "1 relationships of LEIs the desk does not know" in out
    assert "1 relationships whose parent the desk does not know" in out
    assert f"parent not in the desk: Top Group: IS_DIRECTLY_CONSOLIDATED_BY {STRANGER}" in out
    assert "reporting exceptions: 2 added" in out

    direct = Ownership.objects.get(owner=parent, owned=child)
    assert direct.nature == "consolidation" and direct.stake_pct is None
    assert direct.controlling and direct.confirmed
    assert direct.source == "gleif" and direct.source_file == f"{rr.name} + {repex.name}"
    assert direct.start_date.isoformat() == "2019-01-01"
    assert "not a shareholding" in direct.basis
    assert not Ownership.objects.get(owner=top, owned=parent).confirmed  # entity-supplied only
    assert Ownership.objects.get(owner=top, owned=child).controlling  # the ultimate parent

    # The chain rule follows consolidation: the child's ultimate controller is the top group.
    graph = load_graph()
    assert graph.resolve(child.pk).controllers == frozenset({top.pk})
    assert [child.pk, parent.pk, top.pk] in graph.resolve(child.pk).chains

    reasons = {(e.category, e.reason) for e in ReportingException.objects.filter(entity=top)}
    assert reasons == {
        ("DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", "NATURAL_PERSONS"),
        ("ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT", "NON_PUBLIC"),
    }


def test_reimporting_the_golden_copy_changes_nothing(world, files):
    rr, repex = files
    run("--relationships", str(rr), "--exceptions", str(repex))
    rows = sorted(Ownership.objects.values_list("pk", "updated_at"))
    out = run("--relationships", str(rr), "--exceptions", str(repex))
    assert "0 added, 3 unchanged, 0 updated, 0 conflicts" in out
    assert "reporting exceptions: 0 added, 2 unchanged, 0 updated" in out
    assert sorted(Ownership.objects.values_list("pk", "updated_at")) == rows


def test_an_exception_is_shown_on_the_entity_as_why_a_parent_is_missing(
    world, files, client, editor
):
    _, _, top = world
    run("--exceptions", str(files[1]))
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    page = client.get(f"/admin/ownership/entity/{top.pk}/change/").content.decode()
    assert "Why no parent is reported (GLEIF)" in page
    assert "Direct parent: NATURAL_PERSONS" in page
    assert "Ultimate parent: NON_PUBLIC (Consent not given)" in page


def test_gleif_disagreeing_with_an_editors_edge_records_a_conflict(world, files):
    child, parent, _ = world
    edge = OwnershipFactory(owner=parent, owned=child, stake_pct=20, controlling=False)
    out = run("--relationships", str(files[0]))
    assert "2 added, 0 unchanged, 0 updated, 1 conflicts" in out
    edge.refresh_from_db()
    assert edge.source == "editor" and not edge.controlling and edge.nature == "ownership"
    conflict = OwnershipConflict.objects.get()
    assert conflict.source == "gleif" and conflict.ownership == edge
    assert conflict.imported["nature"] == "consolidation"
    again = run("--relationships", str(files[0]))
    assert "0 added, 3 unchanged, 0 updated, 0 conflicts" in again


def test_an_editors_controlling_edge_agrees_with_consolidation(world, files):
    child, parent, _ = world
    OwnershipFactory(owner=parent, owned=child, stake_pct=63.5, controlling=True)
    out = run("--relationships", str(files[0]))
    assert "2 added, 1 unchanged, 0 updated, 0 conflicts" in out
    assert not OwnershipConflict.objects.exists()


def test_the_json_golden_copy_reads_like_the_csv(world, tmp_path):
    child, parent, _ = world

    def rec(child_lei, parent_lei, rtype):
        return {
            "RelationshipRecord": {
                "Relationship": {
                    "StartNode": {"NodeID": {"$": child_lei}, "NodeIDType": {"$": "LEI"}},
                    "EndNode": {"NodeID": {"$": parent_lei}, "NodeIDType": {"$": "LEI"}},
                    "RelationshipType": {"$": rtype},
                    "RelationshipPeriods": {
                        "RelationshipPeriod": [
                            {
                                "StartDate": {"$": "2020-03-01T00:00:00Z"},
                                "PeriodType": {"$": "RELATIONSHIP_PERIOD"},
                            }
                        ]
                    },
                    "RelationshipStatus": {"$": "ACTIVE"},
                },
                "Registration": {
                    "RegistrationStatus": {"$": "PUBLISHED"},
                    "ValidationSources": {"$": "PARTIALLY_CORROBORATED"},
                },
            }
        }

    path = tmp_path / "rr.json"
    path.write_text(json.dumps({"relations": [rec(CHILD, PARENT, "IS_DIRECTLY_CONSOLIDATED_BY")]}))
    exc = tmp_path / "repex.json"
    exc.write_text(
        json.dumps(
            {
                "exceptions": [
                    {
                        "Exception": {
                            "LEI": {"$": PARENT},
                            "ExceptionCategory": {"$": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT"},
                            "ExceptionReason": [{"$": "NON_CONSOLIDATING"}],
                        }
                    }
                ]
            }
        )
    )
    out = run("--relationships", str(path), "--exceptions", str(exc))
    assert "1 added" in out and "reporting exceptions: 1 added" in out
    edge = Ownership.objects.get(owner=parent, owned=child)
    assert edge.confirmed and edge.start_date.isoformat() == "2020-03-01"
    assert ReportingException.objects.get(entity=parent).reason == "NON_CONSOLIDATING"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"Relationship.EndNode.NodeID": "NOT-AN-LEI"},
            "line 3: parent 'NOT-AN-LEI' is not an LEI",
        ),
        ({"Relationship.StartNode.NodeID": ""}, "line 3: Relationship.StartNode.NodeID is empty"),
        ({"Relationship.Period.1.startDate": "someday"}, "line 3: 'someday' is not a date"),
    ],
)
def test_a_malformed_golden_copy_is_refused_naming_the_line(world, tmp_path, row, message):
    path = write_csv(
        tmp_path / "rr.csv", RR_COLUMNS, [rr_row(CHILD, PARENT), rr_row(PARENT, TOP, **row)]
    )
    with pytest.raises(CommandError) as excinfo:
        run("--relationships", str(path))
    assert message in str(excinfo.value) and "nothing was imported" in str(excinfo.value)
    assert not Ownership.objects.exists()


def test_a_bad_exceptions_file_refuses_the_relationships_too(world, files, tmp_path):
    bad = write_csv(
        tmp_path / "repex.csv",
        ["LEI", "ExceptionCategory", "ExceptionReason"],
        [
            {
                "LEI": TOP,
                "ExceptionCategory": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
                "ExceptionReason": "BECAUSE",
            }
        ],
    )
    with pytest.raises(CommandError, match="line 2: exception reason 'BECAUSE'"):
        run("--relationships", str(files[0]), "--exceptions", str(bad))
    assert not Ownership.objects.exists() and not ReportingException.objects.exists()


def test_the_wrong_file_is_refused_by_its_header(world, tmp_path):
    path = tmp_path / "lei2.csv"
    path.write_text("LEI,Entity.LegalName\n" + CHILD + ",Child\n")
    with pytest.raises(CommandError, match="line 1: the header lacks"):
        run("--relationships", str(path))


def test_refresh_reads_the_api_of_one_lei(world, httpserver, settings):
    child, parent, _ = world
    settings.REEX_GLEIF_API = httpserver.url_for("/api/v1")
    httpserver.expect_request(
        f"/api/v1/lei-records/{CHILD}/direct-parent-relationship"
    ).respond_with_json(
        {
            "data": {
                "type": "relationship-records",
                "attributes": {
                    "relationship": {
                        "startNode": {"id": CHILD, "type": "LEI"},
                        "endNode": {"id": PARENT, "type": "LEI"},
                        "type": "IS_DIRECTLY_CONSOLIDATED_BY",
                        "status": "ACTIVE",
                        "periods": [
                            {"startDate": "2021-01-01T00:00:00Z", "type": "RELATIONSHIP_PERIOD"}
                        ],
                    },
                    "registration": {
                        "status": "PUBLISHED",
                        "corroborationLevel": "FULLY_CORROBORATED",
                    },
                },
            }
        }
    )
    httpserver.expect_request(
        f"/api/v1/lei-records/{CHILD}/ultimate-parent-reporting-exception"
    ).respond_with_json(
        {
            "data": {
                "type": "reporting-exceptions",
                "attributes": {
                    "lei": CHILD,
                    "category": "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT",
                    "reason": "NON_PUBLIC",
                },
            }
        }
    )
    # The rest: 404, as the API answers when there is no such relationship or exception.
    for path in ("ultimate-parent-relationship", "direct-parent-reporting-exception"):
        httpserver.expect_request(f"/api/v1/lei-records/{CHILD}/{path}").respond_with_data(
            "", status=404
        )
    out = run("--refresh", CHILD)
    assert "api.gleif.org" in out and "1 added" in out
    edge = Ownership.objects.get(owner=parent, owned=child)
    assert edge.source == "gleif" and edge.confirmed
    assert ReportingException.objects.get(entity=child).reason == "NON_PUBLIC"


def test_refresh_offline_fails_with_a_clear_message_and_imports_nothing(world, settings):
    settings.REEX_GLEIF_API = "http://127.0.0.1:9/api/v1"  # the discard port: nothing listens
    with pytest.raises(CommandError) as excinfo:
        run("--refresh", CHILD)
    text = str(excinfo.value)
    assert "cannot reach the GLEIF API" in text and "needs internet access" in text
    assert "--relationships" in text
    assert not Ownership.objects.exists()
