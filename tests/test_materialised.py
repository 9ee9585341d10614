"""Stored suggestions (claims/materialised.py): after any sequence of writes through the
project's paths every claim's stored row equals a fresh computation and is the one the API
serves; reads cost a constant number of queries; writes that bypass those paths never serve a
stale value; `recompute_suggestions --check` finds any difference."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.api.presenters import ClaimContext, claim_data
from claims.api.views import evidence_prefetch
from claims.materialised import (
    current_row,
    read_annotations,
    spell_inputs,
    suggestions_differences,
)
from claims.models import Claim, ClaimSuggestion, Evidence
from claims.services.classification import evidence_classify_publisher
from claims.services.evidence import evidence_attach
from claims.services.status import claim_set_status
from ownership.models import Domain, Entity, Ownership
from sources.models import Snapshot
from sources.signals import snapshot_archived, snapshot_failed
from tests.factories import (
    ClaimFactory,
    DomainFactory,
    EntityFactory,
    EvidenceFactory,
    OwnershipFactory,
    SnapshotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
REDIS = "redis" in django_settings.CACHES["default"]["BACKEND"].lower()


def _read(claim_ids):
    return list(
        Claim.objects.filter(pk__in=claim_ids)
        .select_related("article", "materialised")
        .annotate(**read_annotations())
        .prefetch_related(evidence_prefetch())
        .order_by("id")
    )


def assert_stored_equals_fresh() -> None:
    """Every claim: a stored row, current, equal to a fresh computation field by field, and
    the API representation built from it equals the one computed from scratch."""
    assert suggestions_differences() == []
    claims = _read(Claim.objects.values_list("id", flat=True))
    fresh = ClaimContext.build(claims, prefetched=True)
    from claims.materialised import StoredContext

    for claim in claims:
        row = current_row(claim)
        assert row is not None, f"claim {claim.pk}: stored row not current"
        stored = StoredContext.build([row])
        assert claim_data(claim, stored, with_evidence=True) == claim_data(
            claim, fresh, with_evidence=True
        )


# --- the property test ---------------------------------------------------------------------------
OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("attach"),
            st.integers(0, 2),  # claim
            st.integers(0, 5),  # domain (5: an unknown one)
            st.sampled_from(["supports", "supports", "echoes", "refutes", "context"]),
        ),
        st.tuples(st.just("settle"), st.integers(0, 30), st.sampled_from(["archived", "failed"])),
        st.tuples(st.just("classify"), st.integers(0, 30), st.integers(0, 7)),
        st.tuples(st.just("own"), st.integers(0, 7), st.integers(0, 7), st.booleans()),
        st.tuples(st.just("unown"), st.integers(0, 30)),
        st.tuples(st.just("domain"), st.integers(0, 4), st.integers(0, 7)),
        st.tuples(
            st.just("entity"), st.integers(0, 7), st.sampled_from(["state", "soe", "rename"])
        ),
        st.tuples(st.just("decide"), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=12,
)


def _apply(op, *, claims, entities, domains, editor, counter) -> None:
    kind = op[0]
    evidence = list(Evidence.objects.order_by("id"))
    if kind == "attach":
        _, ci, di, stance = op
        host = domains[di].domain if di < len(domains) else "unknown-site.com"
        counter[0] += 1
        evidence_attach(
            claim=claims[ci], url=f"https://{host}/{counter[0]}", stance=stance, actor=editor
        )
    elif kind == "settle" and evidence:
        e = evidence[op[1] % len(evidence)]
        snap = Snapshot.objects.get(pk=e.snapshot_id)
        if snap.status in (Snapshot.Status.ARCHIVED, Snapshot.Status.FAILED):
            return
        # What the archive worker writes (a compare-and-swap update(), no model signal), then
        # the signal it sends after commit.
        if op[2] == "archived":
            Snapshot.objects.filter(pk=snap.pk).update(
                status="archived", sha256="a" * 64, archived_at=timezone.now(), http_status=200
            )
            signal = snapshot_archived
        else:
            Snapshot.objects.filter(pk=snap.pk).update(status="failed", error="HTTP 404")
            signal = snapshot_failed
        signal.send_robust(sender=Snapshot, snapshot=Snapshot.objects.get(pk=snap.pk))
    elif kind == "classify":
        unknown = [e for e in evidence if e.publisher_id is None]
        if unknown:
            e = unknown[op[1] % len(unknown)]
            evidence_classify_publisher(evidence=e, entity=entities[op[2]], actor=editor)
    elif kind == "own":
        _, a, b, controlling = op
        if a != b:
            edge = Ownership.objects.filter(owner=entities[a], owned=entities[b]).first()
            edge = edge or Ownership(owner=entities[a], owned=entities[b], confirmed=True)
            edge.controlling = controlling
            edge.save()
    elif kind == "unown":
        edges = list(Ownership.objects.order_by("id"))
        if edges:
            edges[op[1] % len(edges)].delete()
    elif kind == "domain":
        d = domains[op[1]]
        d.entity = entities[op[2]]
        d.save()
    elif kind == "entity":
        e = entities[op[1]]
        if op[2] == "rename":
            e.name += "*"
        else:
            e.kind = op[2]
        e.save()
    elif kind == "decide":
        claim = Claim.objects.get(pk=claims[op[1]].pk)
        claim_set_status(
            claim=claim,
            status=Claim.Status.IN_REVIEW
            if claim.status != Claim.Status.IN_REVIEW
            else Claim.Status.UNREVIEWED,
            actor=editor,
            rationale="Property test.",
            version=claim.version,
        )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_after_any_writes_every_stored_suggestion_equals_a_fresh_computation(editor, ops):
    with transaction.atomic():
        entities = [EntityFactory(kind="media_outlet") for _ in range(6)]
        entities += [EntityFactory(kind="state"), EntityFactory(kind="soe")]
        # Real public suffixes: the register resolves publishers by registrable domain.
        domains = [DomainFactory(entity=entities[i], domain=f"outlet{i}.com") for i in range(5)]
        claims = [ClaimFactory(origin=entities[7]) for _ in range(3)]
        counter = [0]
        for op in ops:
            _apply(op, claims=claims, entities=entities, domains=domains, editor=editor,
                   counter=counter)  # fmt: skip
            assert_stored_equals_fresh()  # after every write, not only at the end
        transaction.set_rollback(True)


def test_python_and_sql_spell_the_same_inputs():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    EvidenceFactory(claim=claim, publisher=None, url="https://nobody.example/x")
    failed = EvidenceFactory(claim=claim)
    Snapshot.objects.filter(pk=failed.snapshot_id).update(status="failed", error="Gone; 404, é")
    rows = (
        Evidence.objects.filter(claim=claim)
        .order_by("id")
        .values_list(
            "id", "claim_id", "stance", "publisher_id", "url", "snapshot__status", "snapshot__error"
        )
    )
    (read,) = _read([claim.pk])
    assert read._inputs_now == spell_inputs(rows)
    assert "Gone; 404, é" in read._inputs_now


# --- query counts ---------------------------------------------------------------------------------
@pytest.fixture
def api(token_client, kept_token_checks):
    return token_client(UserFactory(groups=["api-consumer"]))


def _count(client, url) -> int:
    client.get(url)  # warm the graph and the token
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_reads_in_three_queries_whatever_the_evidence_count(api):
    one, many = ClaimFactory(), ClaimFactory()
    EvidenceFactory(claim=one)
    for _ in range(60):
        EvidenceFactory(claim=many)
    # the token with its user and permissions (none while the process keeps its check, with
    # Redis: plumbing auth generation), the claim with its stored row and checks, its evidence
    first = _count(api, f"/api/v1/claims/{one.pk}/")
    assert first == (2 if REDIS else 3)
    assert _count(api, f"/api/v1/claims/{many.pk}/") == first
    assert current_row(_read([many.pk])[0]) is not None


def test_list_reads_in_three_queries_whatever_the_claim_and_evidence_counts(api):
    ClaimFactory()
    # the token with its user and permissions (none while the process keeps its check), the
    # count, the page's rows with their stored rows and checks
    first = _count(api, "/api/v1/claims/")
    assert first == (2 if REDIS else 3)
    for _ in range(49):
        claim = ClaimFactory()
        EvidenceFactory(claim=claim)
        EvidenceFactory(claim=claim)
    assert _count(api, "/api/v1/claims/") == first
    assert _count(api, "/api/v1/claims/?status=unreviewed&page_size=20") == first
    assert _count(api, "/api/v1/claims/?updated_since=2020-01-01T00:00:00Z") == first


# --- bypassing writes and the command ------------------------------------------------------------
def test_a_bypassing_write_is_served_fresh_and_the_check_reports_until_a_rebuild(api, settings):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 1
    claim = ClaimFactory()
    evidence = EvidenceFactory(claim=claim)
    url = f"/api/v1/claims/{claim.pk}/"
    assert api.get(url).json()["suggested_status"] == "independently_verified"
    call_command("recompute_suggestions", "--check")

    # Raw evidence update (no signal): the stored row no longer matches and is not used.
    Evidence.objects.filter(pk=evidence.pk).update(stance="refutes")
    assert api.get(url).json()["suggested_status"] == "disputed"
    with pytest.raises(CommandError):
        call_command("recompute_suggestions", "--check")
    call_command("recompute_suggestions")
    call_command("recompute_suggestions", "--check")
    assert current_row(_read([claim.pk])[0]).status == "disputed"

    # A graph change by update(): every row stops being used until a rebuild.
    state = EntityFactory(kind="state")
    edge = OwnershipFactory(owner=EntityFactory(), owned=evidence.publisher)
    Ownership.objects.filter(pk=edge.pk).update(owner=state)
    assert current_row(_read([claim.pk])[0]) is None
    assert [c["name"] for c in api.get(url).json()["evidence"][0]["publisher"]["controllers"]] == [
        state.name
    ]
    call_command("recompute_suggestions")
    assert current_row(_read([claim.pk])[0]) is not None


def test_check_reports_a_tampered_row():
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    ClaimSuggestion.objects.filter(pk=claim.pk).update(reasons=["Made up."])
    assert suggestions_differences() == [
        f"claim {claim.pk}: stored reasons differ from a fresh computation"
    ]


def test_an_ownership_edit_refreshes_only_the_claims_under_it(django_assert_max_num_queries):
    group = EntityFactory(kind="soe")
    outlet = EntityFactory(kind="media_outlet")
    OwnershipFactory(owner=group, owned=outlet)
    under, elsewhere = ClaimFactory(), ClaimFactory()
    EvidenceFactory(claim=under, publisher=outlet)
    EvidenceFactory(claim=elsewhere)
    before = ClaimSuggestion.objects.get(pk=elsewhere.pk).computed_at
    state = EntityFactory(kind="state", name="The State")
    OwnershipFactory(owner=state, owned=group)
    assert ClaimSuggestion.objects.get(pk=elsewhere.pk).computed_at == before
    assert "The State" in " ".join(ClaimSuggestion.objects.get(pk=under.pk).reasons)
    assert_stored_equals_fresh()
    Domain.objects.all().delete()
    assert_stored_equals_fresh()


def test_an_ownership_import_leaves_the_rows_right():
    from ownership.records import EdgeValues  # noqa: F401  (the import's own record types)

    claim = ClaimFactory()
    evidence = EvidenceFactory(claim=claim)
    state = EntityFactory(kind=Entity.Kind.STATE)
    # Bulk writes send no model signals; the import says so with register_changed.
    Ownership.objects.bulk_create(
        [Ownership(owner=state, owned=evidence.publisher, controlling=True)]
    )
    from ownership.signals import register_changed

    register_changed.send(sender="tests")
    assert_stored_equals_fresh()


def test_deleting_evidence_then_its_claim_leaves_the_rows_right():
    claim = ClaimFactory()
    evidence = EvidenceFactory(claim=claim)
    other = EvidenceFactory()
    with transaction.atomic():
        evidence.delete()  # the claim's row is recomputed without it
        assert_stored_equals_fresh()
        claim.delete()  # evidence protects its claim; a claim without evidence goes, row too
        connection.check_constraints()  # deferred foreign keys, as a commit would check them
    assert not ClaimSuggestion.objects.filter(pk=claim.pk).exists()
    assert ClaimSuggestion.objects.filter(pk=other.claim_id).exists()
    assert_stored_equals_fresh()


def test_a_settled_snapshot_and_a_domain_edit_refresh_the_rows(editor):
    claims = [ClaimFactory()]
    entities = [EntityFactory(kind="media_outlet"), EntityFactory(kind="state")]
    domains = [DomainFactory(entity=entities[0], domain="outlet.com")]
    counter = [0]
    for op in [("attach", 0, 0, "supports"), ("settle", 0, "archived"), ("domain", 0, 1)]:
        _apply(op, claims=claims, entities=entities, domains=domains, editor=editor,
               counter=counter)  # fmt: skip
        assert_stored_equals_fresh()
    assert Snapshot.objects.get().status == "archived"
    assert Evidence.objects.get().publisher_id == entities[1].pk


def test_each_snapshot_state_change_rewrites_the_rows_in_its_own_transaction(
    django_capture_on_commit_callbacks,
):
    """The archive's state machine (sources.services) changes a snapshot's state with a queryset
    update that sends no model signal; `snapshot_state_written` rewrites the claims' rows inside
    that transaction, before any after-commit receiver has run."""
    from sources.services.snapshots import snapshot_extracted, snapshot_reserve, snapshot_stored

    claim = ClaimFactory()
    snapshot = SnapshotFactory(url="https://www.reuters.com/nre")
    EvidenceFactory(claim=claim, url=snapshot.url, snapshot=snapshot)
    assert current_row(_read([claim.pk])[0]) is not None
    with django_capture_on_commit_callbacks(execute=False):
        token = snapshot_reserve(snapshot_id=snapshot.pk)
        assert token is not None
        assert suggestions_differences() == []
        assert snapshot_stored(
            snapshot_id=snapshot.pk, token=token, sha256="a" * 64, http_status=200
        )
        snapshot.refresh_from_db()
        outcome = snapshot_extracted(snapshot=snapshot, token=token, text="Net profit rose.")
        assert outcome.status == "archived"
        # Archived, and the stored row already says so: no receiver has run yet.
        assert suggestions_differences() == []
        assert current_row(_read([claim.pk])[0]) is not None


@pytest.mark.django_db
def test_touch_marks_claims_changed_by_the_databases_clock(reviewer):
    """ClaimQuerySet.touch: the fields given, `changed_at` the database's now and `updated_at`
    now; `row=False` (only what the API shows of the claims changed) leaves `updated_at`."""
    from datetime import timedelta

    mine, other = ClaimFactory(), ClaimFactory()
    long_ago = timezone.now() - timedelta(days=3)
    Claim.objects.update(changed_at=long_ago, updated_at=long_ago)

    assert Claim.objects.filter(pk=mine.pk).touch(assignee=reviewer) == 1

    mine.refresh_from_db()
    assert mine.assignee == reviewer
    assert mine.changed_at > long_ago and mine.updated_at > long_ago
    other.refresh_from_db()
    assert (other.changed_at, other.updated_at) == (long_ago, long_ago)

    assert Claim.objects.filter(pk=other.pk).touch(row=False) == 1
    other.refresh_from_db()
    assert other.changed_at > long_ago and other.updated_at == long_ago
