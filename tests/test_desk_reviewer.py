"""The desk as a reviewer lives in it (issue 16), through Django's test client against the real
services: out-of-band updates, asking an editor to classify an unknown publisher, refusals that
say what would change the outcome, the origin's chains folded, quieter queue rows, desk pages
around archived copies, audit times with their zone, demo passwords, and the admin's read-only
status. The Chromium side is tests/test_browser_desk.py."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from claims.management.commands.create_demo_users import demo_password
from claims.models import Claim, ClassificationRequest, StatusChange
from claims.services.classification import (
    ClassificationNotNeeded,
    classification_request_ask,
    evidence_classify_publisher,
)
from claims.services.status import claim_set_status
from ownership.models import Domain, Entity
from tests.factories import (
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
    SnapshotFactory,
)
from tests.test_queue_views import build_world, queue_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def unknown_evidence(claim, url="https://www.miningweekly.com/nre"):
    """Archived evidence whose domain nobody has classified yet."""
    return EvidenceFactory(
        claim=claim, url=url, publisher=None, snapshot=SnapshotFactory(url=url, archived=True)
    )


def detail(client, claim) -> str:
    return client.get(reverse("claims:detail", args=[claim.pk])).content.decode()


# --------------------------------------------------------------------------- out of band


def test_settled_row_brings_panel_advice_and_counts_out_of_band(client, world, reviewer):
    ev = EvidenceFactory(
        claim=world.claim,
        url="https://www.reuters.com/p",
        publisher=world.reuters,
        snapshot=SnapshotFactory(url="https://www.reuters.com/p"),
    )
    client.force_login(reviewer)
    url = reverse("claims:evidence-row", args=[world.claim.pk, ev.pk])
    pending = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert pending.lstrip().startswith(f'<li id="evidence-{ev.pk}"')
    assert "Reuters: not archived yet" in pending
    assert "1 archiving" in pending
    ev.snapshot.status = "archived"
    ev.snapshot.sha256 = "a" * 64
    ev.snapshot.save()
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    for element in ("suggestion-panel", "decision-advice", "evidence-summary"):
        assert re.search(rf'id="{element}"[^>]*hx-swap-oob="true"', body), element
    assert "not archived yet" not in body
    assert "1 independent group" in body
    assert "archiving" not in body.split('id="evidence-summary"')[1].split("</p>")[0]


def test_attach_with_htmx_brings_the_panel_out_of_band(client, world, reviewer):
    client.force_login(reviewer)
    body = client.post(
        reverse("claims:attach", args=[world.claim.pk]),
        {"url": "https://www.reuters.com/markets/nre", "stance": "supports"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert body.lstrip().startswith('<section id="evidence-section"')
    assert re.search(r'id="suggestion-panel"[^>]*hx-swap-oob="true"', body)
    assert re.search(r'id="decision-advice"[^>]*hx-swap-oob="true"', body)
    assert "Reuters: not archived yet" in body


def test_attach_redraws_the_ownership_picture_with_the_new_publisher(client, world, reviewer):
    client.force_login(reviewer)
    picture = re.compile(r'<img id="ownership-picture" src="([^"]+)"')
    before = picture.search(detail(client, world.claim)).group(1)
    body = client.post(
        reverse("claims:attach", args=[world.claim.pk]),
        {"url": "https://www.reuters.com/markets/nre", "stance": "supports"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert re.search(r'id="ownership-picture"[^>]*hx-swap-oob="true"', body)
    after = picture.search(body).group(1)
    assert after != before
    assert after.endswith(f"-{world.reuters.pk}")
    # The URL it names draws the new publisher's chain.
    svg = client.get(after.replace("&amp;", "&")).content.decode()
    assert "Reuters" in svg


def test_the_panel_says_no_suggestion_once(client, world, reviewer):
    client.force_login(reviewer)
    panel = detail(client, world.claim).split('id="suggestion-panel"')[1].split("</section>")[0]
    assert panel.count("No suggestion yet") == 1
    assert "Suggestion: no suggestion yet" not in panel


# --------------------------------------------------------------------------- refusals


def test_refusal_without_a_suggestion_says_what_would_change_it(client, world, reviewer):
    unknown_evidence(world.claim)
    client.force_login(reviewer)
    body = client.post(
        reverse("claims:decide", args=[world.claim.pk]),
        {"status": "independently_verified", "rationale": "r", "version": world.claim.version},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Refused" in body
    assert "choose the suggested verdict" not in body
    assert "choose it" not in body
    assert "What would change the outcome:" in body
    assert "an editor classifying miningweekly.com" in body
    # The panel comes along, out of band, from the same suggestion.
    assert re.search(r'id="suggestion-panel"[^>]*hx-swap-oob="true"', body)


def test_refusal_with_a_suggestion_names_it(client, world, reviewer):
    EvidenceFactory(claim=world.claim, url="https://xinhuanet.com/a", publisher=world.xinhua)
    client.force_login(reviewer)
    body = client.post(
        reverse("claims:decide", args=[world.claim.pk]),
        {"status": "disputed", "rationale": "r", "version": world.claim.version},
    ).content.decode()
    assert "Refused" in body
    assert "The rule suggests" in body and "State-sourced" in body and "choose it" in body
    assert "more independent supporting source" in body  # what would change it


# --------------------------------------------------------------------------- classification


def test_reviewer_asks_an_editor_to_classify_once(client, world, reviewer, reviewer2):
    ev = unknown_evidence(world.claim)
    client.force_login(reviewer)
    url = reverse("claims:classify-request", args=[world.claim.pk, ev.pk])
    page = detail(client, world.claim)
    assert "Ask an editor to classify miningweekly.com" in page
    body = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith(f'<div class="classify" id="classify-{ev.pk}"')
    assert "Asked an editor to classify miningweekly.com" in body
    assert "Ask an editor to classify" not in body
    again = classification_request_ask(evidence=ev, actor=reviewer2)
    assert ClassificationRequest.objects.count() == 1
    request = ClassificationRequest.objects.get()
    assert again.pk == request.pk
    assert (request.domain, request.claim, request.requested_by) == (
        "miningweekly.com",
        world.claim,
        reviewer,
    )
    assert request.resolved_at is None


def test_asking_about_a_known_publisher_is_refused_clearly(client, world, reviewer):
    ev = EvidenceFactory(
        claim=world.claim, url="https://www.reuters.com/a", publisher=world.reuters
    )
    with pytest.raises(ClassificationNotNeeded):
        classification_request_ask(evidence=ev, actor=reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:classify-request", args=[world.claim.pk, ev.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert b"already known" in response.content
    assert not ClassificationRequest.objects.exists()


def test_api_consumer_may_not_ask(client, world, consumer):
    ev = unknown_evidence(world.claim)
    client.force_login(consumer)
    response = client.post(reverse("claims:classify-request", args=[world.claim.pk, ev.pk]))
    assert response.status_code == 403
    assert not ClassificationRequest.objects.exists()


def test_editor_sees_the_requests_on_the_queue_and_in_the_admin(client, world, reviewer, editor):
    ev = unknown_evidence(world.claim)
    classification_request_ask(evidence=ev, actor=reviewer)
    client.force_login(reviewer)
    assert 'id="classification-requests"' not in client.get(queue_url()).content.decode()
    client.force_login(editor)
    queue = client.get(queue_url()).content.decode()
    assert re.search(r"Classification requests <span class=\"count\">1</span>", queue)
    changelist = client.get(
        reverse("admin:claims_classificationrequest_changelist"), {"resolved": "open"}
    ).content.decode()
    assert "miningweekly.com" in changelist and "rita" in changelist


def test_reviewer_cannot_open_the_request_list(client, world, reviewer):
    reviewer.is_staff = True  # even with admin access, reviewers do not classify
    reviewer.save()
    client.force_login(reviewer)
    response = client.get(reverse("admin:claims_classificationrequest_changelist"))
    assert response.status_code == 403


def test_editor_classifies_in_the_request_admin_and_the_reviewer_is_told(
    client, world, reviewer, editor
):
    ev = unknown_evidence(world.claim)
    request = classification_request_ask(evidence=ev, actor=reviewer)
    outlet = EntityFactory(name="Mining Weekly", slug="mining-weekly")
    client.force_login(editor)
    change = reverse("admin:claims_classificationrequest_change", args=[request.pk])
    response = client.post(change, {"classify_as": outlet.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.resolved_by, request.publisher) == (editor, outlet)
    assert Domain.objects.get(domain="miningweekly.com").entity == outlet
    ev.refresh_from_db()
    assert ev.publisher == outlet
    # Resolved requests are read-only; the count on the editor's queue went down.
    assert client.post(change, {"classify_as": world.reuters.pk}).status_code == 403
    assert re.search(
        r"Classification requests <span class=\"count\">0</span>",
        client.get(queue_url()).content.decode(),
    )
    client.force_login(reviewer)
    page = detail(client, world.claim)
    assert "An editor classified <strong>miningweekly.com</strong> as" in page
    assert "Classified on request: miningweekly.com" in page
    assert "Ask an editor to classify" not in page


def test_a_domain_added_in_the_admin_resolves_the_requests_on_it(world, reviewer):
    first = unknown_evidence(world.claim)
    other_claim = ClaimFactory(article=world.claim.article, origin=world.northern, key="other")
    second = unknown_evidence(other_claim, url="https://news.miningweekly.com/x")
    for ev in (first, second):
        classification_request_ask(evidence=ev, actor=reviewer)
    outlet = EntityFactory(name="Mining Weekly", slug="mining-weekly")
    Domain.objects.create(domain="miningweekly.com", entity=outlet)  # the Domain admin's save
    assert ClassificationRequest.objects.open().count() == 0
    for request in ClassificationRequest.objects.all():
        assert request.publisher == outlet
        assert request.resolved_by is None  # the signal does not know who saved the domain


def test_classifying_an_ip_address_resolves_its_request(world, reviewer, editor):
    url = "http://203.0.113.9/report"
    ev = unknown_evidence(world.claim, url=url)
    request = classification_request_ask(evidence=ev, actor=reviewer)
    assert request.domain == "203.0.113.9"
    evidence_classify_publisher(evidence=ev, entity=world.reuters, actor=editor)
    request.refresh_from_db()
    assert (request.resolved_by, request.publisher) == (editor, world.reuters)


# --------------------------------------------------------------------------- origin chains


def test_origin_shows_controllers_and_the_shortest_chain_with_the_rest_folded(
    client, world, reviewer
):
    state = EntityFactory(name="State Assets Commission", slug="sasac", kind=Entity.Kind.STATE)
    origin = EntityFactory(name="Many Owners Mining", slug="many-owners", kind=Entity.Kind.SOE)
    OwnershipFactory(owner=state, owned=origin)  # the shortest chain
    for i in range(6):
        holding = EntityFactory(name=f"Holding {i}", slug=f"holding-{i}", kind=Entity.Kind.SOE)
        OwnershipFactory(owner=state, owned=holding)
        OwnershipFactory(owner=holding, owned=origin)  # joint control: one more chain
    claim = ClaimFactory(article=world.claim.article, origin=origin, key="many")
    client.force_login(reviewer)
    body = detail(client, claim)
    facts = body.split("<dt>Origin</dt>")[1].split("</dd>")[0]
    assert "Ultimate controllers: <strong>State Assets Commission</strong>" in facts
    shortest = facts.split('class="chain shortest"')[1].split("</p>")[0]
    assert "Many Owners Mining → State Assets Commission" in shortest
    assert "+6 more chains" in facts
    folded = facts.split("<details")[1]
    assert all(f"Holding {i}" in folded for i in range(6))
    assert "Holding" not in facts.split("<details")[0]


def test_origin_with_one_chain_has_nothing_to_fold(client, world, reviewer):
    client.force_login(reviewer)
    facts = detail(client, world.claim).split("<dt>Origin</dt>")[1].split("</dd>")[0]
    assert "more chain" not in facts
    assert "China Northern Rare Earth → Baotou Steel (Baogang Group) → People" in facts


# --------------------------------------------------------------------------- queue rows


def test_queue_rows_show_only_non_zero_stances_and_the_article_once(client, world, reviewer):
    second = ClaimFactory(
        article=world.claim.article,
        origin=world.northern,
        key="output",
        span="Rare earth metals output jumped 60.4% year-on-year",
    )
    EvidenceFactory(claim=second, url="https://www.reuters.com/a", publisher=world.reuters)
    EvidenceFactory(claim=second, url="https://www.usgs.gov/a", publisher=world.usgs)
    client.force_login(reviewer)
    body = client.get(queue_url(sort="article")).content.decode()
    rows = body.split('id="queue-rows"')[1].split("</ol>")[0]
    assert rows.count(escape(world.claim.article.title)) == 1
    first_row = rows.split(f'id="claim-{world.claim.pk}"')[1].split("</li>")[0]
    assert "No sources yet" in first_row
    assert not re.search(r">\s*0 (supports|echoes|refutes|context)", rows)
    second_row = rows.split(f'id="claim-{second.pk}"')[1].split("</li>")[0]
    assert "2 supports" in second_row
    assert "echoes" not in second_row and "refutes" not in second_row


# --------------------------------------------------------------------------- desk pages


def test_archived_copy_and_text_links_are_desk_pages(client, world, reviewer):
    ev = EvidenceFactory(
        claim=world.claim, url="https://www.reuters.com/a", publisher=world.reuters
    )
    client.force_login(reviewer)
    page = detail(client, world.claim)
    archive_url = reverse("claims:evidence-archive", args=[world.claim.pk, ev.pk])
    text_url = reverse("claims:evidence-text", args=[world.claim.pk, ev.pk])
    assert f'<a href="{archive_url}">Open the archived copy</a>' in page
    assert f'<a href="{text_url}">Open the extracted text</a>' in page
    assert reverse("sources:snapshot-content", args=[ev.snapshot_id]) not in page
    for url in (archive_url, text_url):
        desk = client.get(url).content.decode()
        assert '<header class="top">' in desk
        assert f"← Back to claim #{world.claim.pk}" in desk
    archive = client.get(archive_url).content.decode()
    assert 'sandbox=""' in archive and "allow-same-origin" not in archive
    assert f'<a href="{text_url}">extracted text</a>' in archive
    assert "Net profit rose 1,882.5%" in client.get(text_url).content.decode()
    # The panels' fragments (htmx) stay fragments.
    fragment = client.get(archive_url, headers={"HX-Request": "true"}).content.decode()
    assert "<header" not in fragment and "<iframe" in fragment


def test_desk_page_of_a_source_not_archived_yet(client, world, reviewer):
    ev = EvidenceFactory(
        claim=world.claim,
        url="https://www.reuters.com/p",
        publisher=world.reuters,
        snapshot=SnapshotFactory(url="https://www.reuters.com/p"),
    )
    client.force_login(reviewer)
    body = client.get(reverse("claims:evidence-archive", args=[world.claim.pk, ev.pk]))
    assert body.status_code == 200
    assert b"no archived copy yet (pending)" in body.content


# --------------------------------------------------------------------------- small things


def test_audit_times_carry_their_time_zone(client, world, reviewer):
    claim_set_status(claim=world.claim, status="in_review", actor=reviewer, rationale="", version=1)
    client.force_login(reviewer)
    audit = detail(client, world.claim).split('id="audit"')[1]
    assert re.search(r"<time [^>]*>\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>", audit)


def test_demo_passwords_never_start_with_a_dash():
    # One token in 64 started with "-" before: 2,000 draws would all but surely include one.
    assert all(demo_password()[0].isalnum() for _ in range(2000))


def test_create_demo_users_prints_usable_passwords(db):
    from tests.factories import ensure_groups

    ensure_groups()
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    passwords = re.findall(r"password: (\S+)", out.getvalue())
    assert len(passwords) == 2
    assert all(p[0].isalnum() for p in passwords)


def test_admin_claim_status_is_read_only(client, world, editor):
    client.force_login(editor)
    change = reverse("admin:claims_claim_change", args=[world.claim.pk])
    page = client.get(change).content.decode()
    assert 'name="status"' not in page
    assert "decide or override on the desk" in page
    assert f'href="{world.claim.get_absolute_url()}#decision-section"' in page
    data = {
        "article": world.claim.article_id,
        "key": world.claim.key,
        "kind": world.claim.kind,
        "span_start": world.claim.span_start,
        "span_end": world.claim.span_end,
        "text": world.claim.text,
        "restatement": world.claim.restatement,
        "figures": "[]",
        "origin": world.claim.origin_id,
        "status": "disputed",
        "version": "99",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    world.claim.refresh_from_db()
    assert (world.claim.status, world.claim.version) == (Claim.Status.UNREVIEWED, 1)
    assert world.claim.figures == []  # the save went through; only the status was ignored
    assert not StatusChange.objects.filter(claim=world.claim).exists()
