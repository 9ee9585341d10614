"""A verdict releases the claim from its reviewer (issue 25): the claim page stops saying "You
are reviewing this claim · Release to the queue" and the queue stops showing it as "Yours"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import StatusChange
from claims.services.status import claim_set_status, claim_take
from tests.factories import EvidenceFactory
from tests.test_queue_views import build_world

pytestmark = pytest.mark.django_db


def test_a_verdict_releases_the_claim_and_the_pages_say_so(client, reviewer):
    world = build_world()
    claim = world.claim
    claim_take(claim=claim, actor=reviewer)
    EvidenceFactory(claim=claim, url="https://xinhuanet.com/a", publisher=world.xinhua)
    client.force_login(reviewer)
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "You are reviewing this claim" in page
    claim.refresh_from_db()
    decided = claim_set_status(
        claim=claim,
        status="state_sourced",
        actor=reviewer,
        rationale="Only state media carry it.",
        version=claim.version,
    )
    assert decided.assignee is None
    claim.refresh_from_db()
    assert claim.assignee_id is None
    # Who decided stays in the audit trail.
    assert StatusChange.objects.filter(claim=claim).first().actor == reviewer
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "You are reviewing this claim" not in page and "Release to the queue" not in page
    queue = client.get(reverse("claims:queue"), {"status": "all"}).content.decode()
    assert f'id="claim-{claim.pk}"' in queue and 'class="mine">Yours' not in queue


def test_moving_into_review_keeps_the_holder(reviewer):
    world = build_world()
    claim_take(claim=world.claim, actor=reviewer)
    world.claim.refresh_from_db()
    assert world.claim.assignee == reviewer
