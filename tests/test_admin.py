"""Every admin page renders for an editor; the audit trail is read-only; the claim is shown
highlighted in its article."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from claims.models import Claim, StatusChange
from claims.services.status import claim_set_status
from tests.factories import EvidenceFactory, OwnershipFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

MODELS = [
    (m._meta.app_label, m._meta.model_name)
    for m in admin.site._registry
    if m._meta.app_label in {"claims", "sources"}
]


@pytest.fixture
def world(seeded, editor):
    evidence = EvidenceFactory(claim=Claim.objects.first())
    SnapshotFactory(failed=True)
    edge = OwnershipFactory()
    # Import conflicts and name matches (issue 13).
    from ownership.models import MatchCandidate, OwnershipConflict

    OwnershipConflict.objects.create(
        ownership=edge, source="ftm", source_file="x.ftm.json", imported={"stake_pct": "75"},
        differences="stake 30% here, 75% imported",
    )  # fmt: skip
    MatchCandidate.objects.create(
        imported=edge.owner, imported_name=edge.owner.name, existing=edge.owned, source="ftm",
        reason="same normalised name",
    )  # fmt: skip
    claim_set_status(
        claim=evidence.claim,
        status="unverifiable",
        actor=editor,
        rationale="r",
        version=1,
        override=True,
    )
    # Webhook endpoints and their delivery log (issue 6).
    from claims.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(name="partner", url="https://partner.example.org/h")
    WebhookDelivery.objects.create(
        endpoint=endpoint, claim=evidence.claim, event_id="00000000-0000-0000-0000-000000000001",
        attempt=1, claim_version=2, outcome="delivered", http_status=200,
    )  # fmt: skip
    # A partner's API account with a token (issue 25).
    from claims.services.consumers import consumer_create

    consumer_create(username="partner-admin-page", actor=editor)
    # A reviewer's request to classify an unknown publisher (issue 16).
    from claims.models import ClassificationRequest

    ClassificationRequest.objects.create(
        domain="example.org", claim=evidence.claim, evidence=evidence, requested_by=editor
    )
    # Proposed claims of the seed article (issue 10).
    from intake.services.proposals import proposals_generate

    proposals_generate(article=evidence.claim.article)
    return evidence


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_admin_page_renders_for_an_editor(client, editor, world, app, model):
    client.force_login(editor)
    changelist = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert changelist.status_code == 200
    searched = client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "rare"})
    assert searched.status_code == 200
    model_cls = next(
        m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app, model)
    )
    obj = model_cls.objects.first()
    assert obj is not None, f"no {model} row to open"
    change = client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    add = client.get(reverse(f"admin:{app}_{model}_add"))
    model_admin = admin.site._registry[model_cls]
    request = change.wsgi_request
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)


def test_claim_page_highlights_the_span_in_its_article(client, editor, seeded):
    claim = Claim.objects.get(
        key=Claim.objects.order_by("span_start").values_list("key", flat=True)[5]
    )
    client.force_login(editor)
    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert '<mark class="reex-claim">' in page
    from django.utils.html import escape

    assert f'<mark class="reex-claim">{escape(claim.text)}</mark>' in page


def test_article_page_marks_every_claim(client, editor, seeded):
    article = Claim.objects.first().article
    client.force_login(editor)
    page = client.get(reverse("admin:claims_article_change", args=[article.pk])).content.decode()
    assert page.count('<mark class="reex-claim">') >= article.claims.count() - 2


def test_audit_trail_cannot_be_changed_or_deleted_in_the_admin(client, editor, world):
    row = StatusChange.objects.first()
    client.force_login(editor)
    url = reverse("admin:claims_statuschange_change", args=[row.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"rationale": "rewritten"})
    assert (
        client.post(
            reverse("admin:claims_statuschange_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert StatusChange.objects.get(pk=row.pk).rationale == "r"


def test_take_into_review_action_goes_through_the_service(client, editor, seeded):
    claims = list(Claim.objects.order_by("pk")[:2])
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "take_into_review", "_selected_action": [c.pk for c in claims]},
        follow=True,
    )
    assert response.status_code == 200
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.status, claim.assignee) == ("in_review", editor)
    assert StatusChange.objects.filter(claim__in=claims, to_status="in_review").count() == 2


def test_reviewers_and_consumers_have_no_admin(client, reviewer, consumer):
    for user in (reviewer, consumer):
        client.force_login(user)
        response = client.get(reverse("admin:claims_claim_changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1/x", "Refused address"),
        ("http://localhost/report", "Refused address"),
        ("ftp://example.org/file", "starting with http:// or https://"),
    ],
)
def test_adding_evidence_with_a_refused_address_is_a_form_message(
    client, editor, seeded, url, message
):
    claim = Claim.objects.first()
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_evidence_add"), {"claim": claim.pk, "url": url, "stance": "supports"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not claim.evidence.exists()


def test_adding_the_same_evidence_twice_in_the_admin_is_a_form_message(client, editor, seeded):
    evidence = EvidenceFactory(claim=Claim.objects.first())
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_evidence_add"),
        {"claim": evidence.claim_id, "url": evidence.url, "stance": "echoes"},
    )
    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert evidence.claim.evidence.count() == 1
