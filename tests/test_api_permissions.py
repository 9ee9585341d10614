"""The permission matrix: anonymous, api-consumer, reviewer, editor × every endpoint and
method. Anonymous gets 401 everywhere but the schema and docs; consumers read; reviewers and
editors also attach and decide; only editors override."""

from __future__ import annotations

import pytest

from claims.models import Claim
from claims.services.status import claim_set_status
from ownership.models import Entity
from tests.factories import ClaimFactory, DomainFactory, EvidenceFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "nobody", "consumer", "reviewer", "editor"]


@pytest.fixture
def users(editor, reviewer, consumer):
    return {
        "anonymous": None,
        "nobody": UserFactory(username="nogroup"),  # signed in, in no group
        "consumer": consumer,
        "reviewer": reviewer,
        "editor": editor,
    }


@pytest.fixture
def world(editor):
    """A decided claim (for ClaimReview), an entity with a domain, an archived snapshot."""
    outlet = DomainFactory(domain="reuters.com").entity
    claim = ClaimFactory(origin__kind=Entity.Kind.PRIVATE_COMPANY)
    evidence = EvidenceFactory(claim=claim, publisher=outlet, url="https://reuters.com/a")
    claim_set_status(
        claim=claim,
        status=Claim.Status.UNVERIFIABLE,
        actor=editor,
        rationale="No source beyond the company.",
        version=claim.version,
        override=True,
    )
    return {"claim": claim, "entity": outlet, "snapshot": evidence.snapshot}


READ = {"anonymous": 401, "nobody": 403, "consumer": 200, "reviewer": 200, "editor": 200}
WRITE_201 = {"anonymous": 401, "nobody": 403, "consumer": 403, "reviewer": 201, "editor": 201}
WRITE_200 = {"anonymous": 401, "nobody": 403, "consumer": 403, "reviewer": 200, "editor": 200}
OVERRIDE = {"anonymous": 401, "nobody": 403, "consumer": 403, "reviewer": 403, "editor": 200}
NO_METHOD = {"anonymous": 401, "nobody": 403, "consumer": 405, "reviewer": 405, "editor": 405}
PUBLIC = dict.fromkeys(ROLES, 200)


def _reads(world):
    c, e, s = world["claim"].pk, world["entity"].pk, world["snapshot"].pk
    return [
        ("get", "/api/v1/claims/", READ),
        ("get", "/api/v1/claims/sync/", READ),
        ("get", f"/api/v1/claims/{c}/", READ),
        ("get", f"/api/v1/claims/{c}/claimreview/", READ),
        ("get", "/api/v1/entities/?domain=reuters.com", READ),
        ("get", f"/api/v1/entities/{e}/", READ),
        ("get", f"/api/v1/snapshots/{s}/", READ),
        ("get", "/api/schema/", PUBLIC),
        ("get", "/api/docs/", PUBLIC),
        # Methods no endpoint offers: refused after authentication and permission.
        ("delete", f"/api/v1/claims/{c}/", NO_METHOD),
        ("put", f"/api/v1/claims/{c}/", NO_METHOD),
        ("patch", f"/api/v1/claims/{c}/", NO_METHOD),
        ("post", "/api/v1/claims/", NO_METHOD),
        ("get", f"/api/v1/claims/{c}/evidence/", NO_METHOD),
        ("get", f"/api/v1/claims/{c}/decision/", NO_METHOD),
        ("post", f"/api/v1/claims/{c}/claimreview/", NO_METHOD),
        ("delete", f"/api/v1/entities/{e}/", NO_METHOD),
        ("post", "/api/v1/entities/", NO_METHOD),
        ("delete", f"/api/v1/snapshots/{s}/", NO_METHOD),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_read_endpoints_and_unsupported_methods(role, users, world, token_client):
    client = token_client(users[role])
    got = {}
    want = {}
    for method, url, table in _reads(world):
        response = getattr(client, method)(url)
        got[(method, url)] = response.status_code
        want[(method, url)] = table[role]
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/"), (method, url)
            assert response.json()["detail"], (method, url)
    assert got == want


@pytest.mark.parametrize("role", ROLES)
def test_attach_evidence(role, users, token_client):
    claim = ClaimFactory()
    response = token_client(users[role]).post(
        f"/api/v1/claims/{claim.pk}/evidence/",
        {"url": "https://news.example/story", "stance": "supports", "excerpt": "It rose."},
        format="json",
    )
    assert response.status_code == WRITE_201[role], response.json()
    assert claim.evidence.count() == (1 if WRITE_201[role] == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_decide(role, users, token_client):
    claim = ClaimFactory()
    response = token_client(users[role]).post(
        f"/api/v1/claims/{claim.pk}/decision/",
        {"status": "in_review", "rationale": "Looking into it.", "version": claim.version},
        format="json",
    )
    assert response.status_code == WRITE_200[role], response.json()
    claim.refresh_from_db()
    assert claim.status == ("in_review" if WRITE_200[role] == 200 else "unreviewed")


@pytest.mark.parametrize("role", ROLES)
def test_override(role, users, token_client):
    claim = ClaimFactory()  # no evidence: the rule has no suggestion, so a verdict needs override
    response = token_client(users[role]).post(
        f"/api/v1/claims/{claim.pk}/decision/",
        {
            "status": "disputed",
            "rationale": "The ministry's own data contradicts it.",
            "version": claim.version,
            "override": True,
        },
        format="json",
    )
    assert response.status_code == OVERRIDE[role], response.json()
    claim.refresh_from_db()
    assert claim.status == ("disputed" if OVERRIDE[role] == 200 else "unreviewed")
    if OVERRIDE[role] == 200:
        assert claim.status_changes.get().override is True
