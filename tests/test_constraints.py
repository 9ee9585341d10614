"""The database itself holds the rules: these go around the ORM's helpers on purpose."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from claims.models import Evidence, StatusChange
from claims.services.status import claim_set_status
from ownership.models import Domain, Ownership
from tests.factories import ClaimFactory, DomainFactory, EntityFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def test_evidence_without_a_claim_is_refused_by_the_database():
    evidence = EvidenceFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_evidence (url, stance, excerpt, hints, created_at, updated_at, claim_id)"
            " VALUES (%s, 'supports', '', '{}', %s, %s, NULL)",
            [evidence.url + "?x", evidence.created_at, evidence.created_at],
        )


def test_an_audit_row_cannot_be_edited_or_deleted_even_in_raw_sql(editor):
    claim = ClaimFactory()
    claim_set_status(
        claim=claim, status="unverifiable", actor=editor, rationale="none found", version=1
    )
    row = StatusChange.objects.get(claim=claim)
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE claims_statuschange SET rationale = 'edited' WHERE id = %s", [row.pk]
        )
    assert "append-only" in str(exc.value)
    assert StatusChange.objects.get(pk=row.pk).rationale == "none found"


def test_an_audit_row_cannot_be_deleted_in_raw_sql_on_postgresql(editor):
    """PostgreSQL (CI, production) refuses DELETE in a trigger; SQLite keeps DELETE so that
    Django's flush works there (migration 0002 says why), and the ORM still refuses it."""
    claim = ClaimFactory()
    claim_set_status(
        claim=claim, status="unverifiable", actor=editor, rationale="none found", version=1
    )
    row = StatusChange.objects.get(claim=claim)
    trigger = (
        "statuschange_append_only"
        if connection.vendor == "postgresql"
        else "statuschange_no_update"
    )
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert "claims_statuschange" in tables
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            assert trigger in {name for (name,) in cursor.fetchall()}
        return
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM claims_statuschange WHERE id = %s", [row.pk])
    assert "append-only" in str(exc.value)
    assert StatusChange.objects.filter(pk=row.pk).exists()


def test_the_orm_refuses_to_edit_or_delete_audit_rows(editor):
    claim = ClaimFactory()
    claim_set_status(
        claim=claim, status="unverifiable", actor=editor, rationale="none found", version=1
    )
    row = StatusChange.objects.get(claim=claim)
    row.rationale = "rewritten"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        StatusChange.objects.filter(pk=row.pk).update(rationale="x")
    with pytest.raises(PermissionError):
        StatusChange.objects.filter(pk=row.pk).delete()


def test_a_duplicate_domain_is_refused_by_the_database():
    DomainFactory(domain="xinhuanet.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Domain.objects.bulk_create([Domain(domain="xinhuanet.com", entity=EntityFactory())])


def test_an_uppercase_domain_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Domain.objects.bulk_create([Domain(domain="XINHUANET.com", entity=EntityFactory())])


def test_ownership_rules_are_in_the_database():
    a, b = EntityFactory(), EntityFactory()
    Ownership.objects.create(owner=a, owned=b, stake_pct=51)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ownership.objects.create(owner=a, owned=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ownership.objects.create(owner=a, owned=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ownership.objects.create(owner=b, owned=a, stake_pct=150)


def test_the_same_url_twice_on_one_claim_is_refused_by_the_database():
    evidence = EvidenceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(claim=evidence.claim, url=evidence.url, stance="supports")


def test_deleting_a_claim_with_evidence_is_refused():
    from django.db.models import ProtectedError

    evidence = EvidenceFactory()
    with pytest.raises(ProtectedError):
        evidence.claim.delete()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_claim_span_must_be_ordered():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claim SET span_end = span_start WHERE id = %s", [claim.pk])
