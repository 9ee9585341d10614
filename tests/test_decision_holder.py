"""Who may decide a claim (issue 15): a reviewer decides only a claim they hold or one nobody
holds; an editor decides any. The rule lives in claims.services.status.claim_set_status, so the API,
the desk and the admin's assignments all meet it, and the refusal names the holder."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from claims.models import Claim, StatusChange
from claims.services.status import ClaimTaken, claim_set_status, claim_take
from tests.factories import ClaimFactory

VERDICT = {"status": "unverifiable", "rationale": "Searched Reuters and USGS: nothing."}


def _api_decide(client, claim: Claim):
    claim.refresh_from_db()
    return client.post(
        f"/api/v1/claims/{claim.pk}/decision/",
        {**VERDICT, "version": claim.version},
        format="json",
    )


@pytest.fixture
def held(reviewer):
    """A claim rita (a reviewer) has taken: in review, version 2."""
    claim = ClaimFactory()
    claim_take(claim=claim, actor=reviewer)
    return claim


def test_api_refuses_a_reviewer_deciding_a_claim_another_holds(token_client, held, reviewer2):
    response = _api_decide(token_client(reviewer2), held)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "claim_taken"
    assert body["holder"] == "rita"
    assert "rita holds claim" in body["detail"]
    held.refresh_from_db()
    assert (held.status, held.version) == ("in_review", 2)
    assert not StatusChange.objects.filter(claim=held, actor=reviewer2).exists()


def test_api_lets_the_holder_and_an_editor_decide(token_client, reviewer, editor):
    mine, other = ClaimFactory(), ClaimFactory()
    claim_take(claim=mine, actor=reviewer)
    claim_take(claim=other, actor=reviewer)
    assert _api_decide(token_client(reviewer), mine).json()["status"] == "unverifiable"
    response = _api_decide(token_client(editor), other)
    assert response.status_code == 200
    assert response.json()["status"] == "unverifiable"


def test_api_lets_a_reviewer_decide_a_claim_nobody_holds(token_client, reviewer2):
    claim = ClaimFactory()
    response = _api_decide(token_client(reviewer2), claim)
    assert response.status_code == 200
    assert response.json()["status"] == "unverifiable"


def test_a_claim_taken_after_it_was_read_is_not_decided_over_the_holder(reviewer, reviewer2):
    """rob read the claim while nobody held it; rita takes it; rob's decision, made from his
    old copy, is refused by the guarded update itself (not by the early check on his copy)."""
    stale = ClaimFactory()
    copy = Claim.objects.get(pk=stale.pk)
    claim_take(claim=stale, actor=reviewer)
    # The same version rob would send after reloading: only the holder differs.
    copy.version = Claim.objects.get(pk=stale.pk).version
    with pytest.raises(ClaimTaken) as refused:
        claim_set_status(claim=copy, actor=reviewer2, version=copy.version, **VERDICT)
    assert refused.value.holder == "rita"
    assert Claim.objects.get(pk=stale.pk).status == "in_review"


@pytest.mark.parametrize("htmx", [False, True])
def test_desk_refuses_a_reviewer_deciding_a_claim_another_holds(client, held, reviewer2, htmx):
    client.force_login(reviewer2)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        reverse("claims:decide", args=[held.pk]), {**VERDICT, "version": 2}, headers=headers
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "rita holds claim" in body
    assert VERDICT["rationale"] in body  # what was typed is kept
    held.refresh_from_db()
    assert held.status == "in_review"


def test_desk_lets_an_editor_decide_a_claim_a_reviewer_holds(client, held, editor):
    client.force_login(editor)
    response = client.post(reverse("claims:decide", args=[held.pk]), {**VERDICT, "version": 2})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "unverifiable"


def test_admin_assignment_moves_the_right_to_decide(client, token_client, held, editor, reviewer):
    """An editor assigns rita's claim to themself in the admin: from then on rita is refused,
    by name of the new holder, and the editor decides."""
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "assign_to_me", ACTION_CHECKBOX_NAME: [held.pk]},
    )
    assert response.status_code == 302
    refused = _api_decide(token_client(reviewer), held)
    assert refused.status_code == 409
    assert refused.json()["holder"] == "ed"
    assert _api_decide(token_client(editor), held).status_code == 200


def test_admin_take_into_review_names_the_holder(client, held, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "take_into_review", ACTION_CHECKBOX_NAME: [held.pk]},
        follow=True,
    )
    assert "rita is already reviewing this claim" in response.content.decode()
    held.refresh_from_db()
    assert held.assignee.username == "rita"
