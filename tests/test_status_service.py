"""The one status service: one audit row per change, none on a refused or conflicting one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.models import Claim, StatusChange
from claims.services.status import ClaimTaken, VersionConflict, claim_set_status, claim_take
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_take_moves_into_review_and_writes_one_audit_row(reviewer):
    claim = ClaimFactory()
    claim_take(claim=claim, actor=reviewer)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW
    assert claim.assignee == reviewer
    assert claim.version == 2
    rows = list(StatusChange.objects.filter(claim=claim))
    assert len(rows) == 1
    assert (rows[0].from_status, rows[0].to_status, rows[0].actor) == (
        "unreviewed",
        "in_review",
        reviewer,
    )


def test_second_reviewer_cannot_take_a_taken_claim(reviewer, reviewer2):
    claim = ClaimFactory()
    claim_take(claim=claim, actor=reviewer)
    with pytest.raises(ClaimTaken) as exc:
        claim_take(claim=Claim.objects.get(pk=claim.pk), actor=reviewer2)
    assert "rita" in str(exc.value)
    assert StatusChange.objects.filter(claim=claim).count() == 1


def test_decision_with_stale_version_conflicts_and_writes_nothing(editor):
    claim = ClaimFactory()
    claim_set_status(
        claim=claim, status="unverifiable", actor=editor, rationale="No sources.", version=1
    )
    stale = Claim.objects.get(pk=claim.pk)
    stale.version = 1
    with pytest.raises(VersionConflict):
        claim_set_status(
            claim=stale, status="unverifiable", actor=editor, rationale="again", version=1
        )
    assert StatusChange.objects.filter(claim=claim).count() == 1
    assert Claim.objects.get(pk=claim.pk).version == 2


def test_consumer_cannot_decide(consumer):
    claim = ClaimFactory()
    with pytest.raises(PermissionDenied):
        claim_set_status(
            claim=claim, status="unverifiable", actor=consumer, rationale="x", version=1
        )
    assert not StatusChange.objects.filter(claim=claim).exists()
    assert Claim.objects.get(pk=claim.pk).status == "unreviewed"


def test_a_reviewer_cannot_reopen_a_decided_claim_but_an_editor_can(reviewer, editor):
    claim = ClaimFactory()
    claim_set_status(
        claim=claim, status="unverifiable", actor=reviewer, rationale="None found.", version=1
    )
    for status in ("in_review", "unreviewed"):
        with pytest.raises(PermissionDenied, match="editor"):
            claim_set_status(
                claim=claim, status=status, actor=reviewer, rationale="Back.", version=2
            )
    assert Claim.objects.get(pk=claim.pk).status == "unverifiable"
    assert StatusChange.objects.filter(claim=claim).count() == 1
    with pytest.raises(ValidationError):
        claim_set_status(claim=claim, status="in_review", actor=editor, rationale="", version=2)
    claim_set_status(
        claim=claim, status="in_review", actor=editor, rationale="New sources.", version=2
    )
    assert Claim.objects.get(pk=claim.pk).status == "in_review"


def test_a_reviewer_cannot_change_a_verdict_an_editor_set_by_override(reviewer, editor):
    claim = ClaimFactory()
    claim_set_status(
        claim=claim,
        status="independently_verified",
        actor=editor,
        rationale="Checked the filings myself.",
        version=1,
        override=True,
    )
    with pytest.raises(PermissionDenied, match="overrode"):
        claim_set_status(
            claim=claim, status="unverifiable", actor=reviewer, rationale="No.", version=2
        )
    row = StatusChange.objects.get(claim=claim)
    assert row.override and row.to_status == "independently_verified"


def test_the_api_refuses_a_reviewer_undoing_an_override(token_client, reviewer, editor):
    claim = ClaimFactory()
    claim_set_status(
        claim=claim,
        status="disputed",
        actor=editor,
        rationale="Own check.",
        version=1,
        override=True,
    )
    url = f"/api/v1/claims/{claim.pk}/decision/"
    client = token_client(reviewer)
    back = client.post(url, {"status": "unreviewed", "rationale": "x", "version": 2}, format="json")
    assert back.status_code == 400
    assert "status" in back.json()["errors"]
    reopen = client.post(
        url, {"status": "in_review", "rationale": "x", "version": 2}, format="json"
    )
    assert reopen.status_code == 403
    assert "editor" in reopen.json()["detail"]
    assert Claim.objects.get(pk=claim.pk).status == "disputed"
