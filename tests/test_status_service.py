"""The one status service: one audit row per change, none on a refused or conflicting one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from claims.models import Claim, StatusChange
from claims.services import ClaimTaken, VersionConflict, claim_set_status, claim_take
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
