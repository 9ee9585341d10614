"""The API's speed-ups never serve stale or wrong data: the control graph each process keeps is
checked against the database on every request (an ownership or entity edit by any path counts
on the next response), the plain-dict representation is the one the serializers declare, and
the one-query permission load gives the permissions Django's backend gives."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from claims.api.presenters import ClaimContext, claim_data
from claims.api.serializers import ClaimDetailSerializer, ClaimSerializer, EvidenceSerializer
from claims.api.views import evidence_prefetch
from claims.models import Claim
from ownership import chains
from ownership.models import Entity, Ownership
from plumbing.api_permissions import load_permissions
from sources.models import Snapshot
from tests.factories import (
    ClaimFactory,
    DomainFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(token_client, consumer):
    return token_client(consumer)


def _controllers(entity: dict) -> list[str]:
    return [c["name"] for c in entity["controllers"]]


def test_an_ownership_edit_changes_the_next_response_whatever_wrote_it(client):
    state_a = EntityFactory(name="State A", slug="state-a", kind=Entity.Kind.STATE, country="CN")
    state_b = EntityFactory(name="State B", slug="state-b", kind=Entity.Kind.STATE, country="RU")
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    edge = OwnershipFactory(owner=state_a, owned=claim.origin)
    detail = f"/api/v1/claims/{claim.pk}/"
    listing = f"/api/v1/claims/?origin={claim.origin_id}"
    entity = f"/api/v1/entities/{claim.origin_id}/"

    first = client.get(detail)
    assert _controllers(first.json()["origin"]) == ["State A"]
    assert client.get(detail).json() == first.json()  # served from the kept graph
    assert chains.current_graph() is chains.current_graph()

    # queryset.update(): no signal fires and updated_at stays as it was.
    stamp = Ownership.objects.get(pk=edge.pk).updated_at
    Ownership.objects.filter(pk=edge.pk).update(owner=state_b, updated_at=stamp)
    assert _controllers(client.get(detail).json()["origin"]) == ["State B"]
    assert _controllers(client.get(listing).json()["results"][0]["origin"]) == ["State B"]
    assert _controllers(client.get(entity).json()) == ["State B"]

    # A 30% stake that is not marked controlling is not followed.
    Ownership.objects.filter(pk=edge.pk).update(controlling=False, stake_pct=30, updated_at=stamp)
    origin = client.get(detail).json()["origin"]
    assert _controllers(origin) == [claim.origin.name]
    assert origin["state_controlled"] is False
    Ownership.objects.filter(pk=edge.pk).update(stake_pct=51, updated_at=stamp)
    assert _controllers(client.get(detail).json()["origin"]) == ["State B"]

    # A rename in raw SQL shows at once.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Entity._meta.db_table} SET name = %s WHERE id = %s",
            ["State B (renamed)", state_b.pk],
        )
    assert _controllers(client.get(detail).json()["origin"]) == ["State B (renamed)"]

    # Back to exactly the first register: exactly the first representation. Its ETag is
    # now the body's hash (the stored rows stay unused after writes behind the paths' back:
    # the register version moved on), so a client re-fetches once; never a stale 304.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Entity._meta.db_table} SET name = %s WHERE id = %s",
            ["State B", state_b.pk],
        )
    Ownership.objects.filter(pk=edge.pk).update(
        owner=state_a, controlling=True, stake_pct=None, updated_at=stamp
    )
    again = client.get(detail)
    assert again.json() == first.json()
    assert again["ETag"] != first["ETag"]
    assert client.get(detail, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert client.get(detail, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304

    # A deleted edge: the origin stands alone.
    Ownership.objects.filter(pk=edge.pk).delete()
    assert _controllers(client.get(detail).json()["origin"]) == [claim.origin.name]


def test_an_ownership_edit_changes_the_suggestion(client, settings):
    """The same graph feeds the suggestion rule: two supporting outlets that become one group
    stop making the claim independently verified."""
    settings.REEX_MIN_INDEPENDENT_SOURCES = 2
    claim = ClaimFactory()
    first, second = EvidenceFactory(claim=claim), EvidenceFactory(claim=claim)
    url = f"/api/v1/claims/{claim.pk}/"
    assert client.get(url).json()["suggested_status"] == "independently_verified"
    owner = EntityFactory(name="One Owner")
    Ownership.objects.bulk_create(
        [
            Ownership(owner=owner, owned=first.publisher, controlling=True),
            Ownership(owner=owner, owned=second.publisher, controlling=True),
        ]
    )
    data = client.get(url).json()
    assert data["suggested_status"] is None
    assert [e["assessment"]["badge"] for e in data["evidence"]] == ["independent", "same_group"]


def test_the_kept_graph_is_checked_in_one_query_and_loaded_in_one(client):
    EntityFactory()
    chains._kept = None
    with CaptureQueriesContext(connection) as loading:
        loaded = chains.current_graph()
    with CaptureQueriesContext(connection) as checking:
        kept = chains.current_graph()
    assert kept is loaded
    assert len(loading.captured_queries) == len(checking.captured_queries) == 1
    EntityFactory()
    assert chains.current_graph() is not kept


STRANGE_NAMES = [
    "Plain",
    "Colon: 12:34",
    "Pipe | and; semicolon > arrow",
    "3:abc",
    "国家电网",
    "Émoji 🙂 name",
    "",
    "Trailing +",
    "Ends with -",
]


def test_the_spelled_register_reads_back_exactly_what_load_graph_reads():
    entities = [
        EntityFactory(name=name, slug=f"strange-{i}", kind=kind, country=country)
        for i, (name, kind, country) in enumerate(
            zip(
                STRANGE_NAMES,
                [k.value for k in Entity.Kind] * 2,
                ["CN", "", ":|", "1;", "US", "", ">-", "+", "GB"],
                strict=False,
            )
        )
    ]
    # A chain, joint control, a cycle, a 30% stake (not followed), an unconfirmed edge.
    Ownership.objects.bulk_create(
        [
            Ownership(owner=entities[1], owned=entities[0], controlling=True, confirmed=True),
            Ownership(owner=entities[2], owned=entities[0], stake_pct=60, confirmed=False),
            Ownership(owner=entities[3], owned=entities[1], controlling=True, confirmed=True),
            Ownership(owner=entities[1], owned=entities[3], controlling=True, confirmed=False),
            Ownership(owner=entities[4], owned=entities[5], stake_pct=30, confirmed=True),
        ]
    )
    chains._kept = None
    loaded = chains.load_graph()
    spelled = chains.current_graph()
    assert spelled.nodes == loaded.nodes
    assert spelled.parents == loaded.parents
    assert spelled.unconfirmed == loaded.unconfirmed
    assert spelled.version == chains.register_version() is not None
    assert loaded.version is None  # built from two reads: no version it could vouch for
    for e in entities:
        assert spelled.resolve(e.pk) == loaded.resolve(e.pk)


def _declared(serializer: serializers.ModelSerializer, instance) -> dict:
    """DRF's own field-by-field rendering of the declared fields (the schema), bypassing the
    plain-dict `to_representation`."""
    return serializers.ModelSerializer.to_representation(serializer, instance)


def _json(data) -> bytes:
    return JSONRenderer().render(data)


def test_plain_dicts_are_exactly_what_the_declared_serializers_render(settings):
    """Every shape the API writes: known, unknown (resolved later and never), failed, pending
    and missing snapshots, articles with and without dates, joint and state control."""
    state = EntityFactory(name="State", slug="state", kind=Entity.Kind.STATE, country="CN")
    holder = EntityFactory(name="Holder", slug="holder", kind=Entity.Kind.SOE, country="CN")
    OwnershipFactory(owner=state, owned=holder)
    claims = [ClaimFactory(), ClaimFactory(figures=[]), ClaimFactory(restatement="")]
    claims[0].article.published_on = "2025-07-31"
    claims[0].article.url = "https://example.org/a"
    claims[0].article.save()
    OwnershipFactory(owner=holder, owned=claims[0].origin)
    OwnershipFactory(owner=state, owned=claims[1].origin, confirmed=False)
    outlet = DomainFactory(domain="classified.com").entity
    EvidenceFactory(claim=claims[0], stance="echoes")
    EvidenceFactory(claim=claims[0], stance="refutes", excerpt="It did not.")
    EvidenceFactory(claim=claims[0], publisher=None, url="https://www.classified.com/a")
    EvidenceFactory(claim=claims[0], publisher=None, url="https://nobody.com/b")
    EvidenceFactory(claim=claims[1], snapshot__archived=False, snapshot__failed=True)
    EvidenceFactory(claim=claims[1], snapshot__archived=False, snapshot__status="pending")
    EvidenceFactory(claim=claims[1], snapshot=None, stance="context")
    EvidenceFactory(claim=claims[2], publisher=outlet)

    ids = [c.pk for c in claims]
    page = list(Claim.objects.select_related("article").filter(pk__in=ids).order_by("id"))
    ctx = ClaimContext.build(page)
    for claim in page:
        fast = claim_data(claim, ctx)
        assert _json(fast) == _json(_declared(ClaimSerializer(context={"claims": ctx}), claim))
        assert _json(ClaimSerializer(claim, context={"claims": ctx}).data) == _json(fast)

    full = list(
        Claim.objects.select_related("article")
        .prefetch_related(evidence_prefetch())
        .filter(pk__in=ids)
        .order_by("id")
    )
    ctx = ClaimContext.build(full, prefetched=True)
    assert ctx.publishers == ClaimContext.build(full).publishers
    for zone in ("UTC", "Asia/Shanghai"):  # times are written in the current time zone
        with timezone.override(zone):
            for claim in full:
                fast = claim_data(claim, ctx, with_evidence=True)
                slow = _declared(ClaimDetailSerializer(context={"claims": ctx}), claim)
                slow["evidence"] = [
                    _declared(EvidenceSerializer(context={"claims": ctx}), e)
                    for e in claim.evidence.all()
                ]
                assert _json(fast) == _json(slow)
    with timezone.override("Asia/Shanghai"):
        assert claim_data(full[0], ctx)["created_at"].endswith("+08:00")
    rendered = [e for c in full for e in claim_data(c, ctx, with_evidence=True)["evidence"]]
    assert {e["snapshot"]["status"] if e["snapshot"] else None for e in rendered} == {
        Snapshot.Status.ARCHIVED,
        Snapshot.Status.FAILED,
        Snapshot.Status.PENDING,
        None,
    }
    assert [e["publisher"] is None for e in rendered].count(True) == 1  # nobody.com
    assert any(e["publisher"] and e["publisher"]["id"] == outlet.pk for e in rendered)


def test_one_query_permissions_are_the_backends(db):
    user = UserFactory(groups=["reviewer"])
    user.user_permissions.add(Permission.objects.get(codename="override_decision"))
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as ctx:
        load_permissions(fresh)
    assert len(ctx.captured_queries) == 1
    expected = ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    assert fresh._perm_cache == expected
    assert "claims.override_decision" in expected and "claims.decide_claim" in expected
    nobody = UserFactory()
    load_permissions(nobody)
    assert nobody._perm_cache == set()
    assert not nobody.has_perm("claims.view_claim")
