"""Signed webhooks: a real worker delivers to a local receiver, the signature verifies, a 500 is
retried with backoff, every attempt is recorded, and a failing endpoint never blocks a decision."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from django.test import TestCase

from claims.models import WebhookDelivery, WebhookEndpoint
from claims.services.delivery import webhook_deliver
from claims.services.status import claim_set_status
from claims.services.webhooks import requeue_unqueued_deliveries
from claims.sweep_tasks import sweep_unqueued_webhooks
from claims.webhooks import backoff, sign, verify
from tests.factories import ClaimFactory, EvidenceFactory
from tests.worker import wait_for

SECRET = "s3cret-shared-with-the-partner"


# A real worker process must see the rows, so the test commits (transaction=True). It needs no
# group (the move to in_review is made by the system, actor=None): the flush after a
# transactional test empties the groups migration 0003 made.
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_status_change_is_delivered_signed_and_retried_after_a_500(origin, make_celery_worker):
    make_celery_worker(REEX_WEBHOOK_RETRY_BASE_SECONDS="1")
    origin.expect_ordered_request("/hook", method="POST").respond_with_data("down", status=500)
    origin.expect_ordered_request("/hook", method="POST").respond_with_data("thanks", status=200)
    endpoint = WebhookEndpoint.objects.create(
        name="partner", url=origin.url_for("/hook"), secret=SECRET
    )
    WebhookEndpoint.objects.create(name="paused", url=origin.url_for("/paused"), active=False)
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)

    claim_set_status(claim=claim, status="in_review", actor=None, rationale="Taken.", version=1)

    deliveries = wait_for(
        lambda: (
            list(WebhookDelivery.objects.order_by("attempt"))
            if WebhookDelivery.objects.filter(outcome="delivered").exists()
            else None
        )
    )
    assert [(d.attempt, d.outcome, d.http_status) for d in deliveries] == [
        (1, "retrying", 500),
        (2, "delivered", 200),
    ]
    assert {d.endpoint_id for d in deliveries} == {endpoint.pk}  # the paused endpoint heard nothing
    assert deliveries[0].event_id == deliveries[1].event_id
    assert deliveries[1].created_at > deliveries[0].created_at

    (first, _), (second, _) = origin.log
    for request, attempt in ((first, "1"), (second, "2")):
        body = request.get_data()
        assert verify(
            secret=SECRET,
            timestamp=request.headers["X-Reex-Timestamp"],
            body=body,
            signature=request.headers["X-Reex-Signature"],
        )
        assert request.headers["X-Reex-Attempt"] == attempt
        assert request.headers["X-Reex-Event-Id"] == str(deliveries[0].event_id)
        assert not verify(
            secret="wrong", timestamp=request.headers["X-Reex-Timestamp"], body=body,
            signature=request.headers["X-Reex-Signature"],
        )  # fmt: skip
    payload = json.loads(second.get_data())
    assert payload["event"] == "claim.status_changed"
    assert payload["claim"]["id"] == claim.pk
    assert payload["claim"]["status"] == "in_review"
    assert payload["claim"]["version"] == 2
    assert len(payload["claim"]["evidence"]) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_broker_down_at_the_decision_the_sweep_sends_it_later(
    origin, make_celery_worker, broker_down
):
    origin.expect_request("/hook", method="POST").respond_with_data("thanks", status=200)
    endpoint = WebhookEndpoint.objects.create(
        name="partner", url=origin.url_for("/hook"), secret=SECRET
    )
    worker = make_celery_worker(start=False)
    claim = ClaimFactory()

    started = time.monotonic()
    claim_set_status(claim=claim, status="in_review", actor=None, rationale="Taken.", version=1)
    assert time.monotonic() - started < 5  # a dead broker never holds up a decision

    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("in_review", 2)  # the decision stands
    unqueued = WebhookDelivery.objects.get()
    assert (unqueued.outcome, unqueued.attempt) == ("unqueued", 0)
    assert "broker unreachable" in unqueued.error
    assert requeue_unqueued_deliveries() == 0  # still down: nothing queued, the row waits
    assert WebhookDelivery.objects.get().outcome == "unqueued"

    broker_down()  # the broker is back
    worker.start()
    assert sweep_unqueued_webhooks() == 1
    assert sweep_unqueued_webhooks() == 0  # a second sweep does not queue it again

    delivered = wait_for(
        lambda: WebhookDelivery.objects.filter(outcome="delivered", endpoint=endpoint).first()
    )
    assert delivered.event_id == unqueued.event_id
    assert WebhookDelivery.objects.get(pk=unqueued.pk).outcome == "requeued"
    ((request, _),) = origin.log
    assert verify(
        secret=SECRET,
        timestamp=request.headers["X-Reex-Timestamp"],
        body=request.get_data(),
        signature=request.headers["X-Reex-Signature"],
    )
    assert json.loads(request.get_data())["claim"]["version"] == 2


@pytest.mark.django_db
def test_an_unreachable_endpoint_is_recorded_and_never_blocks_a_decision(
    token_client, reviewer, settings
):
    # Called synchronously: this checks the refusal and the record, not the queue (the test above
    # runs the real worker). 127.0.0.1:9 is loopback and not allow-listed: the safe fetcher refuses.
    settings.REEX_FETCH_ALLOWLIST = []
    endpoint = WebhookEndpoint.objects.create(
        name="bad", url="http://127.0.0.1:9/hook", secret=SECRET
    )
    claim = ClaimFactory()
    response = token_client(reviewer).post(
        f"/api/v1/claims/{claim.pk}/decision/",
        {"status": "in_review", "rationale": "Taking it.", "version": 1},
        format="json",
    )
    assert response.status_code == 200
    result = webhook_deliver(
        endpoint_id=endpoint.pk, claim_id=claim.pk, event_id=str(uuid.uuid4()), attempt=1
    )
    assert (result.delivered, result.retry) == (False, False)
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == "gave_up"
    assert "refused" in delivery.error


class DecisionWithWebhooksTest(TestCase):
    """on_commit callbacks run here (captureOnCommitCallbacks(execute=True)) with the broker as
    configured; the decision commits whatever the queueing does."""

    def test_decision_commits_and_queues_after_commit(self):
        from tests.factories import UserFactory

        reviewer = UserFactory(groups=["reviewer"])
        WebhookEndpoint.objects.create(name="p", url="https://partner.example.org/hook")
        claim = ClaimFactory()
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            claim_set_status(
                claim=claim, status="in_review", actor=reviewer, rationale="x", version=1
            )
        assert callbacks, "the notification is queued only after the transaction commits"
        claim.refresh_from_db()
        assert claim.status == "in_review"


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    import hashlib
    import hmac

    body = b'{"event":"claim.status_changed"}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(secret="k", timestamp="1700000000", body=body) == "sha256=" + expected
    assert not verify(
        secret="k", timestamp="1700000000", body=body, signature="sha256=" + expected
    )  # too old
    now = str(int(time.time()))
    assert verify(
        secret="k", timestamp=now, body=body, signature=sign(secret="k", timestamp=now, body=body)
    )
    assert not verify(
        secret="k",
        timestamp=now,
        body=body + b" ",
        signature=sign(secret="k", timestamp=now, body=body),
    )


def test_backoff_doubles_with_jitter_and_honours_retry_after(settings):
    settings.REEX_WEBHOOK_RETRY_BASE_SECONDS = 30
    assert 27 <= backoff(attempt=1) <= 33
    assert 54 <= backoff(attempt=2) <= 66
    assert backoff(attempt=20) == 3600
    assert backoff(attempt=1, retry_after=120) == 120
