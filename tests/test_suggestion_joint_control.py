"""Independent groups are a maximum packing of disjoint controller sets: a jointly controlled
outlet never merges two groups it overlaps (docs/verdicts.md, "The suggestion rule").

The world is tests/test_suggestion.py's: Reuters is controlled by Woodbridge (through Thomson
Reuters), USGS by the United States (through the Department of the Interior). "Joint Wire" is
a joint venture of Thomson Reuters and the Department of the Interior, so its ultimate
controllers are Woodbridge + United States: it overlaps both groups.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.selectors import suggest_for_claim
from claims.suggestion import EvidenceFacts, suggest
from ownership.chains import ControlGraph, Node
from ownership.models import Entity
from tests.factories import DomainFactory, EntityFactory, OwnershipFactory
from tests.test_suggestion import World, attach, build_world, nre_claim

JV_REASON = (
    "Did not count: Joint Wire: shares controllers with Reuters and USGS (joint control), "
    "counted within their groups."
)


@pytest.fixture
def world(db) -> World:
    return build_world()


def joint_wire(world: World) -> Entity:
    jv = EntityFactory(
        slug="joint-wire", name="Joint Wire", kind=Entity.Kind.MEDIA_OUTLET, country="US"
    )
    DomainFactory(domain="jointwire.com", entity=jv)
    OwnershipFactory(owner=world.thomson, owned=jv, stake_pct=50, controlling=True)
    OwnershipFactory(owner=world.interior, owned=jv, stake_pct=50, controlling=True)
    return jv


def test_joint_venture_source_does_not_undo_independent_verification(world, settings):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 2
    joint_wire(world)
    claim = nre_claim(world)
    reuters = attach(claim, "https://www.reuters.com/markets/nre-h1")
    usgs = attach(claim, "https://pubs.usgs.gov/mcs2025-rare-earths.pdf")
    assert suggest_for_claim(claim).status == "independently_verified"

    jv = attach(claim, "https://jointwire.com/nre-h1")
    s = suggest_for_claim(claim)
    assert s.status == "independently_verified"
    assert s.independent_groups == 2
    assert s.needed == 0
    assert (
        "2 independent groups: Reuters (Woodbridge), USGS (United States of America)" in s.reasons
    )
    assert JV_REASON in s.reasons
    assert s.assessments[reuters.id].badge == "independent"
    assert s.assessments[usgs.id].badge == "independent"
    assert s.assessments[jv.id].badge == "same_group" and not s.assessments[jv.id].counts
    assert s.assessments[jv.id].why == (
        "Shares controllers with Reuters and USGS (joint control), counted within their groups."
    )


def test_joint_venture_attached_first_still_leaves_two_groups(world, settings):
    """Whatever order the sources came in, the largest packing counts (not the first found)."""
    settings.REEX_MIN_INDEPENDENT_SOURCES = 2
    joint_wire(world)
    claim = nre_claim(world)
    jv = attach(claim, "https://jointwire.com/nre-h1")
    assert suggest_for_claim(claim).independent_groups == 1
    attach(claim, "https://www.reuters.com/markets/nre-h1")
    s = suggest_for_claim(claim)
    assert s.independent_groups == 1
    assert (
        "Did not count: Reuters: shares a controller with Joint Wire "
        "(United States of America + Woodbridge), counted within its group." in s.reasons
    )
    attach(claim, "https://pubs.usgs.gov/mcs2025-rare-earths.pdf")
    s = suggest_for_claim(claim)
    assert s.status == "independently_verified"
    assert s.independent_groups == 2
    assert JV_REASON in s.reasons
    assert s.assessments[jv.id].badge == "same_group"


def test_queue_shows_the_rules_group_count(client, world, reviewer, settings):
    settings.REEX_MIN_INDEPENDENT_SOURCES = 2
    joint_wire(world)
    claim = nre_claim(world)
    attach(claim, "https://www.reuters.com/markets/nre-h1")
    attach(claim, "https://pubs.usgs.gov/mcs2025-rare-earths.pdf")
    attach(claim, "https://jointwire.com/nre-h1")
    client.force_login(reviewer)
    response = client.get(reverse("claims:queue"))
    (row,) = response.context["rows"]
    assert row.suggestion.status == "independently_verified"
    assert row.independent_groups == row.suggestion.independent_groups == 2
    assert "2 independent groups" in response.content.decode()


def _facts(i: int, publisher: int) -> EvidenceFacts:
    return EvidenceFacts(
        id=i,
        stance="supports",
        publisher_id=publisher,
        publisher_name="",
        snapshot_status="archived",
    )


def test_chain_of_overlaps_counts_the_maximum_packing():
    """Controller sets {1,2}, {2,3}, {3,4}, {4,5}: merging overlaps gives one group; the
    maximum packing is {1,2} and {3,4}; {2,3} and {4,5} are reported, in id order."""
    nodes = [Node(id=i, name=f"C{i}", kind="private_company", country="") for i in range(1, 6)]
    nodes += [Node(id=10 + i, name=f"Outlet{i}", kind="media_outlet", country="") for i in range(4)]
    nodes.append(Node(id=99, name="Origin", kind="private_company", country=""))
    edges = []
    for i, (a, b) in enumerate([(1, 2), (2, 3), (3, 4), (4, 5)]):
        edges += [(a, 10 + i), (b, 10 + i)]
    graph = ControlGraph(nodes=nodes, edges=edges)
    s = suggest(
        origin_id=99,
        evidence=[_facts(i + 1, 10 + i) for i in range(4)],
        graph=graph,
        min_sources=2,
    )
    assert s.status == "independently_verified"
    assert s.independent_groups == 2
    assert [r for r in s.reasons if r.startswith("Did not count")] == [
        "Did not count: Outlet1: shares controllers with Outlet0 and Outlet2 (joint control), "
        "counted within their groups.",
        "Did not count: Outlet3: shares a controller with Outlet2 (C3 + C4), counted within its "
        "group.",
    ]


def test_many_distinct_controller_sets_fall_back_to_a_greedy_packing():
    """Beyond the exact limit the count is a greedy packing: still pairwise disjoint, still a
    maximal family, and here (disjoint pairs plus bridges) the true maximum."""
    n = 30
    nodes = [Node(id=i, name=f"C{i}", kind="private_company", country="") for i in range(2 * n)]
    nodes.append(Node(id=999, name="Origin", kind="private_company", country=""))
    evidence, edges = [], []
    for i in range(n):
        outlet = 1000 + i
        nodes.append(Node(id=outlet, name=f"O{i}", kind="media_outlet", country=""))
        edges.append((2 * i, outlet))
        evidence.append(_facts(i + 1, outlet))
    for i in range(n - 1):  # bridges: each jointly controlled by two neighbours
        outlet = 2000 + i
        nodes.append(Node(id=outlet, name=f"B{i}", kind="media_outlet", country=""))
        edges += [(2 * i, outlet), (2 * i + 2, outlet)]
        evidence.append(_facts(100 + i, outlet))
    s = suggest(
        origin_id=999,
        evidence=evidence,
        graph=ControlGraph(nodes=nodes, edges=edges),
        min_sources=2,
    )
    assert s.independent_groups == n
