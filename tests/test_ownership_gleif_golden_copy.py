"""GLEIF golden-copy files in the layouts GLEIF publishes (CSV and JSON, relationship records
and reporting exceptions), streamed row by row with a progress bar; LEI check digits verified
(python-stdnum), a bad row refused with its line."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ownership.gleif import read_relationships
from ownership.models import Ownership, ReportingException
from tests.factories import EntityFactory

CHILD = "5493001KJTIIGC8Y1R12"
PARENT = "213800ABCDEFGHIJKL82"
TOP = "969500PARENT00000113"
BAD_CHECK_DIGITS = "5493001KJTIIGC8Y1R13"  # CHILD with its last digit changed

# The golden copy's RR CSV header, every column in GLEIF's order.
RR_HEADER = [
    "Relationship.StartNode.NodeID",
    "Relationship.StartNode.NodeIDType",
    "Relationship.EndNode.NodeID",
    "Relationship.EndNode.NodeIDType",
    "Relationship.RelationshipType",
    "Relationship.RelationshipStatus",
    *[
        f"Relationship.Period.{n}.{leaf}"
        for n in range(1, 6)
        for leaf in ("startDate", "endDate", "periodType")
    ],
    *[
        f"Relationship.Qualifiers.{n}.{leaf}"
        for n in range(1, 6)
        for leaf in ("QualifierDimension", "QualifierCategory")
    ],
    *[
        f"Relationship.Quantifiers.{n}.{leaf}"
        for n in range(1, 6)
        for leaf in ("MeasurementMethod", "QuantifierAmount", "QuantifierUnits")
    ],
    "Registration.InitialRegistrationDate",
    "Registration.LastUpdateDate",
    "Registration.RegistrationStatus",
    "Registration.NextRenewalDate",
    "Registration.ManagingLOU",
    "Registration.ValidationSources",
    "Registration.ValidationDocuments",
    "Registration.ValidationReference",
]
REPEX_HEADER = [
    "LEI",
    "Exception.Category",
    *[f"Exception.Reason.{n}" for n in range(1, 6)],
    *[f"Exception.Reference.{n}" for n in range(1, 6)],
]


def rr(child: str, parent: str, rtype: str = "IS_DIRECTLY_CONSOLIDATED_BY", **extra) -> dict:
    row = dict.fromkeys(RR_HEADER, "")
    row.update(
        {
            "Relationship.StartNode.NodeID": child,
            "Relationship.StartNode.NodeIDType": "LEI",
            "Relationship.EndNode.NodeID": parent,
            "Relationship.EndNode.NodeIDType": "LEI",
            "Relationship.RelationshipType": rtype,
            "Relationship.RelationshipStatus": "ACTIVE",
            # An accounting period first, the relationship period second, as GLEIF often lists.
            "Relationship.Period.1.startDate": "2023-01-01T00:00:00+01:00",
            "Relationship.Period.1.endDate": "2023-12-31T00:00:00+01:00",
            "Relationship.Period.1.periodType": "ACCOUNTING_PERIOD",
            "Relationship.Period.2.startDate": "2017-12-06T00:00:00+01:00",
            "Relationship.Period.2.periodType": "RELATIONSHIP_PERIOD",
            "Relationship.Qualifiers.1.QualifierDimension": "ACCOUNTING_STANDARD",
            "Relationship.Qualifiers.1.QualifierCategory": "IFRS",
            "Relationship.Quantifiers.1.MeasurementMethod": "ACCOUNTING_CONSOLIDATION",
            "Relationship.Quantifiers.1.QuantifierAmount": "100.00",
            "Relationship.Quantifiers.1.QuantifierUnits": "PERCENTAGE",
            "Registration.InitialRegistrationDate": "2017-12-06T10:00:00Z",
            "Registration.LastUpdateDate": "2025-06-01T10:00:00Z",
            "Registration.RegistrationStatus": "PUBLISHED",
            "Registration.NextRenewalDate": "2026-06-01T10:00:00Z",
            "Registration.ManagingLOU": "5493001KJTIIGC8Y1R12",
            "Registration.ValidationSources": "FULLY_CORROBORATED",
            "Registration.ValidationDocuments": "ACCOUNTS_FILING",
            "Registration.ValidationReference": "https://example.org/annual-report-2023.pdf",
        }
    )
    row.update(extra)
    return row


def write_csv(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_gleif", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def world(db):
    return (
        EntityFactory(slug="child", name="Child Mining", kind="private_company", lei=CHILD),
        EntityFactory(slug="parent", name="Parent Holdings", lei=PARENT),
        EntityFactory(slug="top", name="Top Group", lei=TOP),
    )


def test_the_published_csv_layouts_import(world, tmp_path):
    child, parent, top = world
    rr_file = write_csv(
        tmp_path / "20261201-0000-gleif-goldencopy-rr-golden-copy.csv",
        RR_HEADER,
        [rr(CHILD, PARENT), rr(PARENT, TOP, "IS_ULTIMATELY_CONSOLIDATED_BY")],
    )
    repex = dict.fromkeys(REPEX_HEADER, "")
    repex_file = write_csv(
        tmp_path / "20261201-0000-gleif-goldencopy-repex-golden-copy.csv",
        REPEX_HEADER,
        [
            repex
            | {
                "LEI": TOP,
                "Exception.Category": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
                "Exception.Reason.1": "NATURAL_PERSONS",
            },
            repex
            | {
                "LEI": TOP,
                "Exception.Category": "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT",
                "Exception.Reason.1": "NON_PUBLIC",
                "Exception.Reason.2": "LEGAL_OBSTACLES",
                "Exception.Reference.1": "Consent not given",
            },
        ],
    )
    out, _ = run("--relationships", str(rr_file), "--exceptions", str(repex_file))
    assert "2 added, 0 unchanged" in out and "reporting exceptions: 2 added" in out
    edge = Ownership.objects.get(owner=parent, owned=child)
    # The relationship period (slot 2), not the accounting period in slot 1.
    assert edge.start_date.isoformat() == "2017-12-06" and edge.end_date is None
    assert edge.confirmed and edge.nature == "consolidation" and edge.stake_pct is None
    ultimate = ReportingException.objects.get(entity=top, category__startswith="ULTIMATE")
    assert ultimate.reason == "NON_PUBLIC"
    assert ultimate.reference == "Consent not given; further reasons: LEGAL_OBSTACLES"
    again, _ = run("--relationships", str(rr_file), "--exceptions", str(repex_file))
    assert "0 added, 2 unchanged" in again and "reporting exceptions: 0 added, 2 unchanged" in again


def test_the_published_json_layouts_import(world, tmp_path):
    child, parent, _ = world

    def leaf(v):
        return {"$": v}

    relation = {
        "Relationship": {
            "StartNode": {"NodeID": leaf(CHILD), "NodeIDType": leaf("LEI")},
            "EndNode": {"NodeID": leaf(PARENT), "NodeIDType": leaf("LEI")},
            "RelationshipType": leaf("IS_DIRECTLY_CONSOLIDATED_BY"),
            "RelationshipPeriods": [
                {
                    "StartDate": leaf("2023-01-01T00:00:00Z"),
                    "EndDate": leaf("2023-12-31T00:00:00Z"),
                    "PeriodType": leaf("ACCOUNTING_PERIOD"),
                },
                {
                    "StartDate": leaf("2018-04-01T00:00:00Z"),
                    "PeriodType": leaf("RELATIONSHIP_PERIOD"),
                },
            ],
            "RelationshipStatus": leaf("ACTIVE"),
            "RelationshipQualifiers": [
                {
                    "QualifierDimension": leaf("ACCOUNTING_STANDARD"),
                    "QualifierCategory": leaf("IFRS"),
                }
            ],
        },
        "Registration": {
            "InitialRegistrationDate": leaf("2018-04-01T00:00:00Z"),
            "LastUpdateDate": leaf("2025-06-01T00:00:00Z"),
            "RegistrationStatus": leaf("PUBLISHED"),
            "ManagingLOU": leaf(CHILD),
            "ValidationSources": leaf("PARTIALLY_CORROBORATED"),
        },
    }
    rr_file = tmp_path / "rr-golden-copy.json"
    rr_file.write_text(json.dumps({"relations": [relation]}))
    repex_file = tmp_path / "repex-golden-copy.json"
    repex_file.write_text(
        json.dumps(
            {
                "exceptions": [
                    {
                        "LEI": leaf(PARENT),
                        "ExceptionCategory": leaf("ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"),
                        "ExceptionReason": [leaf("NON_CONSOLIDATING")],
                        "ExceptionReference": [leaf("Parent does not consolidate")],
                        "Registration": {"RegistrationStatus": leaf("PUBLISHED")},
                    }
                ]
            }
        )
    )
    out, _ = run("--relationships", str(rr_file), "--exceptions", str(repex_file))
    assert "1 added" in out and "reporting exceptions: 1 added" in out
    edge = Ownership.objects.get(owner=parent, owned=child)
    assert edge.confirmed and edge.start_date.isoformat() == "2018-04-01"
    exc = ReportingException.objects.get(entity=parent)
    assert (exc.reason, exc.reference) == ("NON_CONSOLIDATING", "Parent does not consolidate")


def test_a_bad_lei_check_digit_is_refused_with_its_line(world, tmp_path):
    path = write_csv(
        tmp_path / "rr.csv",
        RR_HEADER,
        [rr(CHILD, PARENT), rr(PARENT, TOP), rr(BAD_CHECK_DIGITS, TOP)],
    )
    with pytest.raises(CommandError) as excinfo:
        run("--relationships", str(path))
    text = str(excinfo.value)
    assert (
        f"line 4: child '{BAD_CHECK_DIGITS}' is not a valid LEI: its check digits are wrong" in text
    )
    assert "rr.csv refused, nothing was imported" in text
    assert not Ownership.objects.exists()


def test_a_bad_lei_in_the_exceptions_is_refused_too(world, tmp_path):
    path = write_csv(
        tmp_path / "repex.csv",
        REPEX_HEADER[:4],
        [
            {
                "LEI": BAD_CHECK_DIGITS,
                "Exception.Category": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
                "Exception.Reason.1": "NATURAL_PERSONS",
            }
        ],
    )
    with pytest.raises(CommandError, match="line 2: LEI '5493001KJTIIGC8Y1R13' is not a valid LEI"):
        run("--exceptions", str(path))
    assert not ReportingException.objects.exists()


def test_a_repex_file_without_the_exception_columns_is_refused_by_its_header(world, tmp_path):
    path = tmp_path / "repex.csv"
    path.write_text(f"LEI,Category\n{CHILD},X\n")
    with pytest.raises(CommandError, match=r"line 1: the header lacks Exception\.Category"):
        run("--exceptions", str(path))


def test_the_file_is_read_as_a_stream(world):
    """Rows come out one at a time: the first is yielded before a bad row further down is
    even read (a whole-file parse would refuse before yielding anything)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=RR_HEADER)
    writer.writeheader()
    writer.writerow(rr(CHILD, PARENT))
    for _ in range(5000):
        writer.writerow(rr(PARENT, TOP))
    writer.writerow(rr("NOT AN LEI", TOP))
    rows = read_relationships(io.BytesIO(text.getvalue().encode()))
    first = next(rows)
    assert (first.child, first.parent, first.where) == (CHILD, PARENT, "line 2")


def test_a_large_file_shows_a_progress_bar(world, tmp_path, capsys):
    rows = [rr(CHILD, PARENT)] + [rr(TOP, PARENT, "IS_INTERNATIONAL_BRANCH_OF")] * 800
    path = write_csv(tmp_path / "rr.csv", RR_HEADER, rows)
    assert path.stat().st_size > 256 * 1024
    out, _ = run("--relationships", str(path))
    assert "1 added" in out and "800 IS_INTERNATIONAL_BRANCH_OF relationships" in out
    bar = capsys.readouterr().err  # tqdm writes to the process's stderr
    assert "relationships: 100%" in bar


def test_a_small_file_shows_no_bar(world, tmp_path, capsys):
    path = write_csv(tmp_path / "rr.csv", RR_HEADER, [rr(CHILD, PARENT)])
    run("--relationships", str(path))
    assert "relationships:" not in capsys.readouterr().err


def test_a_gleif_import_leaves_the_stored_suggestions_right(world, tmp_path):
    """GLEIF writes its edges in bulk (no model signals): it says so with register_changed,
    so a claim whose publisher is the child now reads the parent as its controller."""
    from claims.materialised import suggestions_differences
    from tests.factories import ClaimFactory, EvidenceFactory

    child = world[0]
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, publisher=child)
    assert suggestions_differences() == []
    path = write_csv(tmp_path / "rr.csv", RR_HEADER, [rr(CHILD, PARENT)])
    run("--relationships", str(path))
    assert suggestions_differences() == []


def test_the_zipped_golden_copy_imports_as_published(world, tmp_path):
    """GLEIF publishes each golden copy as a .zip of one file: read it without unzipping."""
    import zipfile

    child, parent, _ = world
    csv_path = write_csv(tmp_path / "rr.csv", RR_HEADER, [rr(CHILD, PARENT)])
    zipped = tmp_path / "20261201-0000-gleif-goldencopy-rr-golden-copy.csv.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, "20261201-0000-gleif-goldencopy-rr-golden-copy.csv")
    out, _ = run("--relationships", str(zipped))
    assert "1 added" in out
    assert Ownership.objects.get(owner=parent, owned=child).start_date.isoformat() == "2017-12-06"
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.csv", "x")
        archive.writestr("b.csv", "y")
    with pytest.raises(CommandError, match="holds 2 files"):
        run("--relationships", str(two))


def test_bulk_inserted_rows_never_reuse_a_deleted_rows_id(db):
    """ownership.bulk.insert reserves ids as the database would (an admin log entry naming a
    deleted entity must not come to name a new one)."""
    from ownership import bulk
    from ownership.models import Entity

    gone = EntityFactory(slug="gone", name="Gone Ltd")
    gone_pk = gone.pk
    gone.delete()
    new = [Entity(slug=f"new-{i}", name=f"New {i}", kind="private_company") for i in range(3)]
    bulk.insert(new)
    assert all(e.pk > gone_pk for e in new)
    assert sorted(Entity.objects.filter(slug__startswith="new-").values_list("pk", flat=True)) == [
        e.pk for e in new
    ]
    after = EntityFactory(slug="after")  # the database's own next id does not collide
    assert after.pk > max(e.pk for e in new)
