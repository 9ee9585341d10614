"""The reviewers' desk (issue 5): every permission and error path of the queue, the claim page
and its forms, through Django's test client against the real services."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Evidence, StatusChange
from claims.services.status import claim_set_status, claim_take
from ownership.models import Entity
from sources.models import Snapshot
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DomainFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
    SnapshotFactory,
)

SEED_TEXT = (
    "China Northern Rare Earth (Group) High-Tech Co., Ltd. released its half-year report.\n"
    "Northern Rare Earth said net profit rose 1,882.5% in the first half, to 931 million yuan.\n"
    "Rare earth metals output jumped 60.4% year-on-year."
)
SEED_SPAN = "net profit rose 1,882.5% in the first half, to 931 million yuan"


@dataclass
class World:
    """A seed-like register: a state-controlled claimant, state media, independent outlets."""

    china: Entity
    baogang: Entity
    northern: Entity
    xinhua: Entity
    reuters: Entity
    usgs: Entity
    claim: Claim


def build_world() -> World:
    china = EntityFactory(
        name="People's Republic of China", slug="cn", kind=Entity.Kind.STATE, country="CN"
    )
    baogang = EntityFactory(
        name="Baotou Steel (Baogang Group)", slug="baogang", kind=Entity.Kind.SOE
    )
    northern = EntityFactory(
        name="China Northern Rare Earth", slug="northern-rare-earth", kind=Entity.Kind.SOE
    )
    OwnershipFactory(owner=china, owned=baogang)
    OwnershipFactory(owner=baogang, owned=northern)
    xinhua = EntityFactory(name="Xinhua", slug="xinhua", kind=Entity.Kind.MEDIA_OUTLET)
    OwnershipFactory(owner=china, owned=xinhua)
    thomson = EntityFactory(name="Thomson Reuters", slug="thomson-reuters")
    reuters = EntityFactory(name="Reuters", slug="reuters", kind=Entity.Kind.MEDIA_OUTLET)
    OwnershipFactory(owner=thomson, owned=reuters)
    usa = EntityFactory(name="United States", slug="us", kind=Entity.Kind.STATE, country="US")
    usgs = EntityFactory(name="USGS", slug="usgs", kind=Entity.Kind.GOVERNMENT_BODY, country="US")
    OwnershipFactory(owner=usa, owned=usgs)
    DomainFactory(domain="xinhuanet.com", entity=xinhua)
    DomainFactory(domain="reuters.com", entity=reuters)
    DomainFactory(domain="usgs.gov", entity=usgs)
    article = ArticleFactory(
        key="nre-h1-2025", title="Northern Rare Earth's H1 2025 results", text=SEED_TEXT
    )
    claim = ClaimFactory(
        article=article,
        key="net-profit",
        span=SEED_SPAN,
        restatement="Net profit rose 1,882.5% in H1 2025",
        origin=northern,
        figures=[{"value": 1882.5, "unit": "%"}, {"value": 931, "unit": "million yuan"}],
    )
    return World(china, baogang, northern, xinhua, reuters, usgs, claim)


@pytest.fixture
def world(db) -> World:
    return build_world()


def archived_evidence(claim: Claim, url: str, publisher: Entity, stance: str = "supports"):
    return EvidenceFactory(claim=claim, url=url, publisher=publisher, stance=stance)


def queue_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("claims:queue") + ("?" + urlencode(params) if params else "")


# --------------------------------------------------------------------------- who gets a desk


@pytest.mark.parametrize(
    ("name", "args"),
    [("claims:queue", []), ("claims:detail", ["pk"]), ("claims:suggestion", ["pk"])],
)
def test_anonymous_is_sent_to_sign_in(client, world, name, args):
    url = reverse(name, args=[world.claim.pk for _ in args])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_anonymous_htmx_request_redirects_the_whole_page(client, world):
    response = client.get(
        reverse("claims:suggestion", args=[world.claim.pk]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/claims/1/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("claims:take", {}),
        ("claims:release", {}),
        ("claims:attach", {"url": "https://www.reuters.com/a", "stance": "supports"}),
        ("claims:decide", {"status": "unverifiable", "rationale": "x", "version": 1}),
    ],
)
def test_anonymous_posts_change_nothing(client, world, name, data):
    response = client.post(reverse(name, args=[world.claim.pk]), data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    world.claim.refresh_from_db()
    assert world.claim.version == 1
    assert world.claim.assignee is None
    assert not Evidence.objects.exists()


def test_api_consumer_gets_a_clear_403_page(client, world, consumer):
    client.force_login(consumer)
    response = client.get(reverse("claims:queue"))
    assert response.status_code == 403
    assert b"has no review desk" in response.content
    assert b"/api/docs/" in response.content
    assert client.get(reverse("claims:detail", args=[world.claim.pk])).status_code == 403


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("claims:take", {}),
        ("claims:attach", {"url": "https://www.reuters.com/a", "stance": "supports"}),
        ("claims:decide", {"status": "unverifiable", "rationale": "x", "version": 1}),
    ],
)
def test_api_consumer_cannot_write_through_the_desk(client, world, consumer, name, data):
    client.force_login(consumer)
    response = client.post(reverse(name, args=[world.claim.pk]), data)
    assert response.status_code == 403
    world.claim.refresh_from_db()
    assert (world.claim.version, world.claim.assignee_id) == (1, None)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "editor"])
def test_reviewers_and_editors_see_the_queue(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("claims:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Net profit rose 1,882.5% in H1 2025" in body
    assert "Northern Rare Earth&#x27;s H1 2025 results" in body
    assert "China Northern Rare Earth" in body


def test_missing_claim_is_a_404(client, world, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("claims:detail", args=[999999])).status_code == 404
    assert client.post(reverse("claims:take", args=[999999])).status_code == 404


def test_get_on_a_form_endpoint_is_refused(client, world, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("claims:take", args=[world.claim.pk])).status_code == 405


# --------------------------------------------------------------------------- sign-in


def test_sign_in_page_and_sign_in(client, reviewer):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    response = client.post(
        reverse("login"), {"username": "rita", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.url == reverse("claims:queue")


def test_wrong_password_says_so(client, reviewer):
    response = client.post(reverse("login"), {"username": "rita", "password": "nope"})
    assert response.status_code == 200
    assert b"do not match" in response.content


def test_repeated_failed_sign_ins_lock_the_account(client, reviewer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "rita", "password": "nope"})
    response = client.post(
        reverse("login"), {"username": "rita", "password": "correct horse battery staple"}
    )
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("claims:queue"))
    assert f'action="{reverse("logout")}"'.encode() in page.content
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("claims:queue")).status_code == 302


# --------------------------------------------------------------------------- the queue


def test_queue_counts_per_status_and_needs_work(client, world, reviewer, editor):
    other = ClaimFactory(
        article=world.claim.article,
        origin=world.northern,
        span="Rare earth metals output jumped 60.4%",
    )
    done = ClaimFactory(
        article=world.claim.article, origin=world.northern, span="released its half-year report"
    )
    claim_set_status(claim=done, status="unverifiable", actor=editor, rationale="r", version=1)
    claim_take(claim=other, actor=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("claims:queue"))
    counts = {c.key: c.count for c in response.context["counts"]}
    assert counts["needs_work"] == 2
    assert counts["unreviewed"] == 1
    assert counts["in_review"] == 1
    assert counts["unverifiable"] == 1
    assert counts["all"] == 3
    shown = [row.claim.pk for row in response.context["rows"]]
    assert done.pk not in shown
    assert set(shown) == {world.claim.pk, other.pk}


def test_queue_includes_decided_claims_with_failed_or_drifted_snapshots(
    client, world, reviewer, editor
):
    decided = ClaimFactory(
        article=world.claim.article, origin=world.northern, span="released its half-year report"
    )
    claim_set_status(claim=decided, status="unverifiable", actor=editor, rationale="r", version=1)
    EvidenceFactory(claim=decided, publisher=world.reuters, snapshot=SnapshotFactory(failed=True))
    drifted = ClaimFactory(
        article=world.claim.article,
        origin=world.northern,
        span="Rare earth metals output jumped 60.4%",
    )
    claim_set_status(claim=drifted, status="unverifiable", actor=editor, rationale="r", version=1)
    EvidenceFactory(
        claim=drifted,
        publisher=world.reuters,
        # A re-check that archived a different body: drift marks the newer snapshot.
        snapshot=SnapshotFactory(
            archived=True,
            drift=Snapshot.Drift.CHANGED,
            previous=SnapshotFactory(archived=True),
        ),
    )
    client.force_login(reviewer)
    response = client.get(reverse("claims:queue"))
    rows = {row.claim.pk: row for row in response.context["rows"]}
    assert decided.pk in rows and drifted.pk in rows
    assert rows[decided.pk].failed == 1
    assert rows[drifted.pk].drifted == 1
    body = response.content.decode()
    assert "1 failed snapshot" in body
    assert "1 drifted source" in body
    problems = client.get(queue_url(status="problems"))
    assert {r.claim.pk for r in problems.context["rows"]} == {decided.pk, drifted.pk}


def test_queue_row_shows_stances_groups_and_suggestion(client, world, reviewer, settings):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 2
    archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    archived_evidence(world.claim, "https://www.usgs.gov/b", world.usgs)
    archived_evidence(world.claim, "https://xinhuanet.com/c", world.xinhua, stance="echoes")
    client.force_login(reviewer)
    response = client.get(reverse("claims:queue"))
    (row,) = response.context["rows"]
    assert row.stances == {"supports": 2, "echoes": 1}
    assert row.independent_groups == 2
    assert row.suggestion.status == "independently_verified"
    body = response.content.decode()
    assert "2 independent groups" in body
    assert "Independently verified" in body


def test_queue_filters(client, world, reviewer, reviewer2):
    article2 = ArticleFactory(title="Lynas quarterly")
    lynas = EntityFactory(name="Lynas Rare Earths", slug="lynas")
    c2 = ClaimFactory(article=article2, origin=lynas, restatement="Lynas output fell")
    c3 = ClaimFactory(article=article2, origin=lynas, restatement="Lynas price rose")
    claim_take(claim=c2, actor=reviewer)
    claim_take(claim=c3, actor=reviewer2)
    client.force_login(reviewer)

    def shown(**params):
        response = client.get(queue_url(**params))
        assert response.status_code == 200
        return {row.claim.pk for row in response.context["rows"]}

    assert shown() == {world.claim.pk, c2.pk, c3.pk}
    assert shown(article=article2.pk) == {c2.pk, c3.pk}
    assert shown(origin=world.northern.pk) == {world.claim.pk}
    assert shown(assigned="me") == {c2.pk}
    assert shown(assigned="unassigned") == {world.claim.pk}
    assert shown(status="in_review") == {c2.pk, c3.pk}
    assert shown(status="unreviewed") == {world.claim.pk}
    assert shown(q="price") == {c3.pk}
    assert shown(q="lynas rare") == {c2.pk, c3.pk}
    assert shown(q=f"#{c2.pk}") == {c2.pk}
    assert shown(q="nothing like this") == set()


def test_queue_sorts(client, world, reviewer, editor):
    article2 = ArticleFactory(title="Later piece", published_on="2030-01-01")
    late = ClaimFactory(article=article2, origin=world.northern)
    problem = ClaimFactory(
        article=world.claim.article,
        origin=world.northern,
        span="Rare earth metals output jumped 60.4%",
    )
    EvidenceFactory(claim=problem, publisher=world.reuters, snapshot=SnapshotFactory(failed=True))
    client.force_login(reviewer)

    def order(sort):
        return [row.claim.pk for row in client.get(queue_url(sort=sort)).context["rows"]]

    assert order("oldest") == [world.claim.pk, late.pk, problem.pk]
    assert order("article")[0] == late.pk
    assert order("priority")[0] == problem.pk


@pytest.mark.parametrize(
    "params",
    [
        {"article": "abc"},
        {"origin": "99999999"},
        {"status": "bogus"},
        {"sort": "random"},
        {"assigned": "them"},
        {"page": "zzz"},
        {"page": "99999"},
        {"q": "x" * 500},
    ],
)
def test_bad_queue_input_is_a_message_not_a_500(client, world, reviewer, params):
    client.force_login(reviewer)
    response = client.get(queue_url(**params))
    assert response.status_code == 200
    if "page" not in params:
        assert b"were not understood and were ignored" in response.content
    # The rest of the queue still works with the defaults.
    assert [row.claim.pk for row in response.context["rows"]] == [world.claim.pk]


def test_queue_pages(client, world, reviewer):
    for i in range(55):
        ClaimFactory(article=world.claim.article, origin=world.northern, key=f"extra-{i}")
    client.force_login(reviewer)
    first = client.get(reverse("claims:queue"))
    assert len(first.context["rows"]) == 50
    assert b'rel="next"' in first.content
    second = client.get(queue_url(page=2))
    assert len(second.context["rows"]) == 6


def test_queue_htmx_returns_only_the_results(client, world, reviewer):
    client.force_login(reviewer)
    response = client.get(
        queue_url(q="profit"), headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="queue-results"')
    assert "<html" not in body
    assert "Net profit rose" in body


def test_empty_queue_says_so(client, db, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("claims:queue"))
    assert b"Nothing needs work" in response.content
    response = client.get(queue_url(q="zzz"))
    assert b"No claims match" in response.content


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queue_query_count_does_not_grow_with_rows(client, world, reviewer):
    client.force_login(reviewer)
    archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    client.get(reverse("claims:queue"))  # warm the session and permission caches alike
    small = _queries_for(client, reverse("claims:queue"))
    for i in range(30):
        claim = ClaimFactory(article=ArticleFactory(), origin=EntityFactory(), key=f"more-{i}")
        archived_evidence(claim, f"https://www.reuters.com/{i}", world.reuters)
        EvidenceFactory(claim=claim, publisher=None, url=f"https://unknown{i}.example/x")
    big = _queries_for(client, reverse("claims:queue"))
    assert big == small
    assert big <= 16


# --------------------------------------------------------------------------- take / release


def test_take_assigns_and_moves_into_review(client, world, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("claims:take", args=[world.claim.pk]))
    assert response.status_code == 302
    assert response.url == reverse("claims:detail", args=[world.claim.pk])
    world.claim.refresh_from_db()
    assert world.claim.assignee == reviewer
    assert world.claim.status == Claim.Status.IN_REVIEW
    change = StatusChange.objects.get(claim=world.claim)
    assert (change.actor, change.to_status) == (reviewer, "in_review")
    page = client.get(response.url)
    assert b"You are reviewing this claim" in page.content


def test_taking_a_taken_claim_says_who_has_it(client, world, reviewer, reviewer2):
    claim_take(claim=world.claim, actor=reviewer)
    client.force_login(reviewer2)
    response = client.post(
        reverse("claims:take", args=[world.claim.pk]),
        {"next": reverse("claims:queue")},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("claims:queue")
    assert "rita is already reviewing claim" in response.content.decode()
    assert "Taken by rita" in response.content.decode()
    world.claim.refresh_from_db()
    assert world.claim.assignee == reviewer
    assert StatusChange.objects.filter(claim=world.claim).count() == 1


def test_take_ignores_an_offsite_next(client, world, reviewer, reviewer2):
    claim_take(claim=world.claim, actor=reviewer)
    client.force_login(reviewer2)
    response = client.post(
        reverse("claims:take", args=[world.claim.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("claims:queue")


def test_release_by_holder_and_refusal_for_others(client, world, reviewer, reviewer2, editor):
    claim_take(claim=world.claim, actor=reviewer)
    client.force_login(reviewer2)
    response = client.post(reverse("claims:release", args=[world.claim.pk]), follow=True)
    assert "Only the reviewer holding the claim" in response.content.decode()
    world.claim.refresh_from_db()
    assert world.claim.assignee == reviewer
    client.force_login(reviewer)
    client.post(reverse("claims:release", args=[world.claim.pk]))
    world.claim.refresh_from_db()
    assert world.claim.assignee is None
    claim_take(claim=world.claim, actor=reviewer2)
    client.force_login(editor)
    client.post(reverse("claims:release", args=[world.claim.pk]))
    world.claim.refresh_from_db()
    assert world.claim.assignee is None


# --------------------------------------------------------------------------- the claim page


def test_claim_page_shows_paragraph_figures_origin_chain_evidence(client, world, reviewer):
    archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    archived_evidence(world.claim, "https://xinhuanet.com/c", world.xinhua, stance="echoes")
    failed = EvidenceFactory(
        claim=world.claim,
        url="https://www.usgs.gov/gone",
        publisher=world.usgs,
        snapshot=SnapshotFactory(failed=True, url="https://www.usgs.gov/gone"),
    )
    client.force_login(reviewer)
    response = client.get(reverse("claims:detail", args=[world.claim.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"<mark>{SEED_SPAN}</mark>" in body
    assert "Northern Rare Earth said " in body  # the rest of the paragraph
    assert "Rare earth metals output" not in body.split("<mark>")[1].split("</blockquote>")[0]
    assert "1882.5 %" in body and "931 million yuan" in body
    assert (
        "China Northern Rare Earth → Baotou Steel (Baogang Group) → People&#x27;s Republic of China"
        in body
    )
    assert "Reuters → Thomson Reuters" in body
    assert "badge-independent" in body
    assert "badge-echo" in body
    assert "Archiving failed:" in body and failed.snapshot.error in body
    assert "Needs 1 more independent supporting source" in body
    assert 'id="decision-form"' in body
    assert 'name="version" value="1"' in body
    assert "Admin:" not in body  # reviewers do not get admin links


def test_claim_page_for_editors_links_to_the_admin(client, world, editor):
    ev = archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    client.force_login(editor)
    body = client.get(reverse("claims:detail", args=[world.claim.pk])).content.decode()
    assert reverse("admin:claims_claim_change", args=[world.claim.pk]) in body
    assert reverse("admin:ownership_entity_change", args=[world.northern.pk]) in body
    assert reverse("admin:claims_evidence_change", args=[ev.pk]) in body
    assert 'name="override"' in body


def test_claim_page_shows_hints_and_drift(client, world, reviewer):
    snap = SnapshotFactory(
        archived=True,
        url="https://www.reuters.com/a",
        drift=Snapshot.Drift.CHANGED,
        previous=SnapshotFactory(archived=True, url="https://www.reuters.com/a"),
    )
    EvidenceFactory(
        claim=world.claim,
        url=snap.url,
        publisher=world.reuters,
        snapshot=snap,
        hints={
            "snapshot": snap.pk,
            "figures": [
                {
                    "figure": "1,882.5%",
                    "found": True,
                    "approximate": False,
                    "partial": False,
                    "excerpts": ["…net profit rose 1,882.5%, the company said…"],
                    "attributed": True,
                    "phrases": ["the company said"],
                },
                {"figure": "931 million yuan", "found": False, "excerpts": [], "attributed": False},
            ],
            "figures_found": 1,
            "figures_total": 2,
            "echo": {"likely": True, "phrases": ["the company said"], "excerpts": ["…"]},
        },
    )
    client.force_login(reviewer)
    body = client.get(reverse("claims:detail", args=[world.claim.pk])).content.decode()
    assert "1 of 2 found in the archived text" in body
    assert "attributed to the claimant" in body
    assert "the company said" in body
    assert "Likely an echo" in body
    assert "Source changed since it was first archived" in body


def test_vanished_source_is_flagged_in_queue_and_page(client, world, reviewer, editor):
    claim_set_status(
        claim=world.claim, status="unverifiable", actor=editor, rationale="r", version=1
    )
    # A re-check found the source gone: the evidence stays on its last archived copy (the
    # re-check's `previous`) and its hints carry the flag, as claims.receivers leaves them.
    last_good = SnapshotFactory(archived=True, url="https://www.reuters.com/gone")
    SnapshotFactory(
        url=last_good.url,
        failed=True,
        error="HTTP 404 Not Found",
        drift=Snapshot.Drift.VANISHED,
        previous=last_good,
    )
    EvidenceFactory(
        claim=world.claim,
        url=last_good.url,
        publisher=world.reuters,
        snapshot=last_good,
        hints={"drift": {"status": "vanished", "error": "HTTP 404 Not Found"}},
    )
    client.force_login(reviewer)
    queue = client.get(reverse("claims:queue"))
    (row,) = queue.context["rows"]
    assert row.drifted == 1
    body = client.get(reverse("claims:detail", args=[world.claim.pk])).content.decode()
    assert "Source vanished since it was archived (HTTP 404 Not Found)" in body


@pytest.mark.parametrize("hints", [None, [], "x", {"figures": "nope", "echo": 3, "drift": []}])
def test_malformed_hints_never_break_the_page(client, world, reviewer, hints):
    ev = EvidenceFactory(
        claim=world.claim, url="https://www.reuters.com/a", publisher=world.reuters
    )
    Evidence.objects.filter(pk=ev.pk).update(hints=hints if hints is not None else {})
    client.force_login(reviewer)
    assert client.get(reverse("claims:detail", args=[world.claim.pk])).status_code == 200


def test_claim_page_query_count_does_not_grow_with_evidence(client, world, reviewer):
    client.force_login(reviewer)
    url = reverse("claims:detail", args=[world.claim.pk])
    archived_evidence(world.claim, "https://www.reuters.com/0", world.reuters)
    client.get(url)
    small = _queries_for(client, url)
    for i in range(1, 25):
        archived_evidence(world.claim, f"https://www.reuters.com/{i}", world.reuters)
        EvidenceFactory(claim=world.claim, publisher=None, url=f"https://unknown{i}.example/x")
    claim_set_status(claim=world.claim, status="in_review", actor=reviewer, rationale="", version=1)
    big = _queries_for(client, url)
    assert big == small


# --------------------------------------------------------------------------- attach


def test_attach_a_source(client, world, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:attach", args=[world.claim.pk]),
        {"url": "https://www.reuters.com/markets/nre", "stance": "supports", "excerpt": "rose"},
    )
    ev = Evidence.objects.get(claim=world.claim)
    assert response.status_code == 302
    assert response.url.endswith(f"#evidence-{ev.pk}")
    assert ev.publisher == world.reuters
    assert ev.added_by == reviewer
    assert ev.snapshot.status == Snapshot.Status.PENDING


def test_attach_with_htmx_returns_the_section_and_polls(client, world, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:attach", args=[world.claim.pk]),
        {"url": "https://www.reuters.com/markets/nre", "stance": "supports"},
        headers={"HX-Request": "true"},
    )
    ev = Evidence.objects.get(claim=world.claim)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="evidence-section"')
    assert reverse("claims:evidence-row", args=[world.claim.pk, ev.pk]) in body
    assert 'hx-trigger="every 2s"' in body
    assert "reex:evidence-changed" in json.loads(response["HX-Trigger"])
    assert 'value="https://www.reuters.com/markets/nre"' not in body  # a fresh, empty form


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a web address"),
        ("", "This field is required"),
        ("ftp://files.example.com/report.pdf", "starting with http:// or https://"),
        ("javascript:alert(1)", "not a web address"),
        ("http://127.0.0.1:8000/admin/", "Refused address"),
        ("http://10.1.2.3/", "Refused address"),
        ("http://localhost/", "Refused address"),
    ],
)
def test_attach_bad_urls_show_inline_errors_and_keep_input(client, world, reviewer, url, message):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:attach", args=[world.claim.pk]),
        {"url": url, "stance": "refutes", "excerpt": "my careful excerpt"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "my careful excerpt" in body
    assert 'value="refutes" selected' in body
    assert not Evidence.objects.exists()


def test_attach_duplicate_url_is_refused_inline(client, world, reviewer):
    archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:attach", args=[world.claim.pk]),
        {"url": "https://www.reuters.com/a", "stance": "supports"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already attached to this claim" in body
    assert 'value="https://www.reuters.com/a"' in body
    assert body.lstrip().startswith('<section id="evidence-section"')
    assert Evidence.objects.filter(claim=world.claim).count() == 1


def test_attach_bad_stance_is_inline(client, world, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:attach", args=[world.claim.pk]),
        {"url": "https://www.reuters.com/a", "stance": "loves"},
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


# --------------------------------------------------------------------------- fragments


def test_pending_evidence_row_keeps_polling_and_settled_row_stops(client, world, reviewer):
    pending = EvidenceFactory(
        claim=world.claim,
        url="https://www.reuters.com/p",
        publisher=world.reuters,
        snapshot=SnapshotFactory(url="https://www.reuters.com/p"),
    )
    client.force_login(reviewer)
    url = reverse("claims:evidence-row", args=[world.claim.pk, pending.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 2s"' in response.content
    assert b"Waiting to be archived" in response.content
    assert "HX-Trigger" not in response
    Snapshot.objects.filter(pk=pending.snapshot_id).update(
        status="archived", sha256="a" * 64, title="Reuters story"
    )
    response = client.get(url, headers={"HX-Request": "true"})
    assert b"every 2s" not in response.content
    assert b"Archived" in response.content
    assert "reex:evidence-changed" in json.loads(response["HX-Trigger"])


def test_fragments_refuse_evidence_of_another_claim(client, world, reviewer):
    other = EvidenceFactory(publisher=world.reuters)
    client.force_login(reviewer)
    assert (
        client.get(reverse("claims:evidence-row", args=[world.claim.pk, other.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("claims:evidence-text", args=[world.claim.pk, other.pk])).status_code
        == 404
    )


def test_archive_fragment_is_a_sandboxed_frame(client, world, reviewer):
    ev = archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    client.force_login(reviewer)
    body = client.get(
        reverse("claims:evidence-archive", args=[world.claim.pk, ev.pk])
    ).content.decode()
    assert '<iframe src="' in body
    assert 'sandbox=""' in body
    assert "allow-same-origin" not in body
    other = EvidenceFactory(publisher=world.reuters)
    url = reverse("claims:evidence-archive", args=[world.claim.pk, other.pk])
    assert client.get(url).status_code == 404


def test_suggestion_and_text_fragments(client, world, reviewer):
    ev = archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    client.force_login(reviewer)
    panel = client.get(reverse("claims:suggestion", args=[world.claim.pk])).content.decode()
    assert panel.lstrip().startswith('<section id="suggestion-panel"')
    assert "1 independent group" in panel
    text = client.get(
        reverse("claims:evidence-text", args=[world.claim.pk, ev.pk])
    ).content.decode()
    assert "Net profit rose 1,882.5% in the first half" in text


# --------------------------------------------------------------------------- decide


def _decide(client, claim, **data):
    headers = {"HX-Request": "true"} if data.pop("htmx", False) else {}
    return client.post(reverse("claims:decide", args=[claim.pk]), data, headers=headers)


def test_decide_records_the_verdict_and_audit_row(client, world, reviewer, settings):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 2
    archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    archived_evidence(world.claim, "https://www.usgs.gov/b", world.usgs)
    client.force_login(reviewer)
    response = _decide(
        client,
        world.claim,
        status="independently_verified",
        rationale="Reuters and USGS.",
        version=1,
    )
    assert response.status_code == 302
    world.claim.refresh_from_db()
    assert world.claim.status == "independently_verified"
    page = client.get(response.url).content.decode()
    assert "Reuters and USGS." in page
    assert "Independently verified" in page


def test_decide_with_htmx_redirects_the_page(client, world, reviewer, settings):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 1
    archived_evidence(world.claim, "https://www.reuters.com/a", world.reuters)
    client.force_login(reviewer)
    response = _decide(
        client,
        world.claim,
        status="independently_verified",
        rationale="Reuters.",
        version=1,
        htmx=True,
    )
    assert response.status_code == 200
    assert (
        response["HX-Redirect"]
        == reverse("claims:detail", args=[world.claim.pk]) + "?decided=2#audit"
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_stale_decision_is_a_conflict_that_keeps_what_was_typed(
    client, world, reviewer, editor, htmx
):
    client.force_login(reviewer)
    page = client.get(reverse("claims:detail", args=[world.claim.pk]))
    assert b'name="version" value="1"' in page.content
    # Meanwhile an editor moves the claim into review (without taking it): the version moves on.
    claim_set_status(
        claim=world.claim, status="in_review", actor=editor, rationale="Looking.", version=1
    )
    response = _decide(
        client,
        world.claim,
        status="unverifiable",
        rationale="Searched Reuters, USGS and SMM: nothing.",
        version=1,
        htmx=htmx,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed since you loaded it" in body
    assert "Searched Reuters, USGS and SMM: nothing." in body
    assert 'value="unverifiable" selected' in body
    assert 'name="version" value="2"' in body
    assert ("<html" in body) is not htmx
    world.claim.refresh_from_db()
    assert world.claim.status == "in_review"
    assert world.claim.version == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_refused_decision_shows_reasons_and_keeps_what_was_typed(client, world, reviewer, htmx):
    archived_evidence(world.claim, "https://xinhuanet.com/c", world.xinhua)
    client.force_login(reviewer)
    response = _decide(
        client,
        world.claim,
        status="independently_verified",
        rationale="I believe it.",
        version=1,
        htmx=htmx,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Refused: the evidence does not support that verdict" in body
    assert "same-group source" in body
    assert "I believe it." in body
    assert 'value="independently_verified" selected' in body
    world.claim.refresh_from_db()
    assert (world.claim.status, world.claim.version) == ("unreviewed", 1)


def test_reviewer_cannot_override(client, world, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("claims:detail", args=[world.claim.pk])).content.decode()
    assert 'name="override"' not in body
    response = _decide(
        client, world.claim, status="disputed", rationale="Override!", version=1, override="on"
    )
    assert response.status_code == 400
    world.claim.refresh_from_db()
    assert world.claim.status == "unreviewed"


def test_editor_override_is_marked_in_the_audit_trail(client, world, editor):
    client.force_login(editor)
    response = _decide(
        client,
        world.claim,
        status="disputed",
        rationale="The company retracted the figure in a filing.",
        version=1,
        override="on",
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(claim=world.claim)
    assert change.override is True
    page = client.get(response.url).content.decode()
    assert "flag-override" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "unverifiable", "rationale": "", "version": 1}, "This field is required"),
        ({"status": "unverifiable", "rationale": "   ", "version": 1}, "This field is required"),
        ({"status": "nonsense", "rationale": "x", "version": 1}, "Select a valid choice"),
        ({"status": "unverifiable", "rationale": "x", "version": "abc"}, "Enter a whole number"),
        ({"status": "unverifiable", "rationale": "x"}, "This field is required"),
    ],
)
def test_bad_decision_input_is_a_form_message(client, world, reviewer, data, message):
    client.force_login(reviewer)
    response = _decide(client, world.claim, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    world.claim.refresh_from_db()
    assert world.claim.version == 1


def test_keyboard_help_and_assets_are_served_locally(client, world, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("claims:queue")).content.decode()
    assert "/static/claims/htmx-2.0.4.min.js" in body
    assert "/static/claims/keys.js" in body
    assert 'id="keys-help"' in body
    assert "https://" not in body.split("<body")[0]  # no CDN in the head
