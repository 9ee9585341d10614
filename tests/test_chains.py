"""Control resolution on the seed world and on awkward data (cycles, joint control, depth)."""

from __future__ import annotations

import itertools

import pytest

from ownership.chains import load_graph
from ownership.models import Entity
from ownership.selectors import entity_chains_text, entity_control_summaries, entity_for_domain
from tests.factories import EntityFactory, OwnershipFactory
from tests.test_suggestion import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def names(graph, chains):
    return [[graph.name(i) for i in c] for c in chains]


def test_northern_rare_earth_resolves_to_the_prc_through_every_path(world):
    graph = load_graph()
    res = graph.resolve(world.northern.pk)
    assert res.controllers == {world.prc.pk}
    assert res.state_controlled
    assert names(graph, res.chains) == [
        ["Northern Rare Earth", "Baogang Group", "SASAC", "People's Republic of China"],
        [
            "Northern Rare Earth",
            "Baogang Group",
            "SASAC",
            "State Council",
            "People's Republic of China",
        ],
    ]
    assert res.notes == []


def test_stake_over_half_controls_and_a_minority_stake_is_not_followed(world):
    OwnershipFactory(owner=world.usa, owned=world.reuters, controlling=False, stake_pct=10)
    graph = load_graph()
    reuters = graph.resolve(world.reuters.pk)
    assert reuters.controllers == {world.woodbridge.pk}  # Woodbridge holds 69%, not "marked"
    assert not reuters.state_controlled


def test_government_body_ends_at_its_state(world):
    graph = load_graph()
    usgs = graph.resolve(world.usgs.pk)
    assert usgs.controllers == {world.usa.pk}
    assert names(graph, usgs.chains) == [
        ["USGS", "US Department of the Interior", "United States of America"]
    ]
    assert usgs.state_controlled


def test_government_body_without_its_state_edge_is_state_controlled_and_noted(world):
    orphan = EntityFactory(
        name="Ministry of Orphans", kind=Entity.Kind.GOVERNMENT_BODY, country="CN"
    )
    res = load_graph().resolve(orphan.pk)
    assert res.controllers == {orphan.pk}
    assert res.state_controlled
    assert any("no controlling edge to its state" in n for n in res.notes)


def test_entity_without_owner_is_its_own_controller(world):
    res = load_graph().resolve(world.woodbridge.pk)
    assert res.controllers == {world.woodbridge.pk}
    assert res.chains == [[world.woodbridge.pk]]
    assert not res.state_controlled


def test_joint_control_gives_several_roots(world):
    jv = EntityFactory(name="JV Magnets", slug="jv")
    OwnershipFactory(owner=world.baogang, owned=jv, stake_pct=50, controlling=True)
    OwnershipFactory(owner=world.woodbridge, owned=jv, stake_pct=50, controlling=True)
    graph = load_graph()
    res = graph.resolve(jv.pk)
    assert res.controllers == {world.prc.pk, world.woodbridge.pk}
    assert res.state_controlled
    assert graph.group_label(res.controllers) == "People's Republic of China + Woodbridge"
    # Not independent of either side.
    assert not graph.independent(jv.pk, world.xinhua.pk)
    assert not graph.independent(jv.pk, world.reuters.pk)
    assert graph.independent(world.xinhua.pk, world.reuters.pk)


def test_cross_holding_cycle_ends_and_says_so(world):
    a = EntityFactory(name="Alpha Holdings", slug="alpha")
    b = EntityFactory(name="Beta Holdings", slug="beta")
    outlet = EntityFactory(name="Alpha News", slug="alpha-news", kind=Entity.Kind.MEDIA_OUTLET)
    OwnershipFactory(owner=a, owned=b)
    OwnershipFactory(owner=b, owned=a)
    OwnershipFactory(owner=a, owned=outlet)
    graph = load_graph()
    res = graph.resolve(outlet.pk)
    assert res.controllers == {a.pk, b.pk}
    assert names(graph, res.chains) == [["Alpha News", "Alpha Holdings", "Beta Holdings"]]
    assert res.notes == ["Cycle: Alpha Holdings → Beta Holdings → Alpha Holdings closes here."]
    text = entity_chains_text(entity_id=outlet.pk, graph=graph)
    assert text[0] == "Alpha News → Alpha Holdings → Beta Holdings (cycle closes here)"


def test_cycle_with_an_outside_controller_resolves_to_it(world):
    a = EntityFactory(name="Alpha", slug="alpha")
    b = EntityFactory(name="Beta", slug="beta")
    OwnershipFactory(owner=a, owned=b)
    OwnershipFactory(owner=b, owned=a)
    OwnershipFactory(owner=world.woodbridge, owned=b)
    res = load_graph().resolve(a.pk)
    assert res.controllers == {world.woodbridge.pk}


def _chain(depth: int) -> tuple[Entity, Entity]:
    """A chain of `depth` controlling edges; returns (bottom, top)."""
    entities = [EntityFactory() for _ in range(depth + 1)]
    for lower, upper in itertools.pairwise(entities):
        OwnershipFactory(owner=upper, owned=lower)
    return entities[0], entities[-1]


@pytest.mark.parametrize("depth", [3, 50])
def test_resolving_costs_two_queries_whatever_the_depth(depth, django_assert_num_queries):
    bottom, top = _chain(depth)
    with django_assert_num_queries(2):
        res = load_graph().resolve(bottom.pk)
    assert res.controllers == {top.pk}
    assert len(res.chains[0]) == depth + 1


def test_very_deep_chain_resolves_without_recursion():
    bottom, top = _chain(1200)  # deeper than Python's default recursion limit
    res = load_graph().resolve(bottom.pk)
    assert res.controllers == {top.pk}


def test_summaries_for_many_entities_cost_one_query(world, django_assert_num_queries):
    ids = [world.northern.pk, world.reuters.pk, world.usgs.pk, world.mining_weekly.pk]
    with django_assert_num_queries(1):
        out = entity_control_summaries(entity_ids=ids)
    assert out[world.reuters.pk].as_dict() == {
        "id": world.reuters.pk,
        "name": "Reuters",
        "state_controlled": False,
        "controllers": [{"id": world.woodbridge.pk, "name": "Woodbridge"}],
        "chain": ["Reuters", "Thomson Reuters", "Woodbridge"],
        "chains": [["Reuters", "Thomson Reuters", "Woodbridge"]],
        "notes": [],
    }
    assert out[world.usgs.pk].state_controlled


def test_entity_for_domain_accepts_bare_domains_and_urls(world):
    assert entity_for_domain(domain="english.news.cn") == world.xinhua
    assert entity_for_domain(domain="https://www.reuters.com/x") == world.reuters
    assert entity_for_domain(domain="example.org") is None
    assert entity_for_domain(domain="") is None


def test_entity_admin_shows_chains_and_state_control(world, editor, client):
    client.force_login(editor)
    page = client.get(f"/admin/ownership/entity/{world.northern.pk}/change/").content.decode()
    assert "Northern Rare Earth → Baogang Group → SASAC → People&#x27;s Republic of China" in page
    assert "Ultimate controllers: People&#x27;s Republic of China — state-controlled." in page
    page = client.get(f"/admin/ownership/entity/{world.reuters.pk}/change/").content.decode()
    assert "Reuters → Thomson Reuters → Woodbridge" in page
    assert "not state-controlled" in page


def test_unconfirmed_edges_are_followed_and_marked(world):
    OwnershipFactory(owner=world.sasac, owned=world.northern, confirmed=False)
    graph = load_graph()
    res = graph.resolve(world.northern.pk)
    assert res.controllers == {world.prc.pk}
    lines = entity_chains_text(entity_id=world.northern.pk, graph=graph)
    assert "Northern Rare Earth ⇢ (unconfirmed) SASAC → People's Republic of China" in lines
    assert "Northern Rare Earth → Baogang Group → SASAC → People's Republic of China" in lines


def test_seed_register_chains_make_sense(seeded):
    """The loaded seed register: every government body ends at a state, no cycles or gaps,
    and the article's companies and the outlets resolve as the design says."""
    graph = load_graph()
    by_slug = dict(Entity.objects.values_list("slug", "id"))
    for slug, eid in by_slug.items():
        res = graph.resolve(eid)
        assert res.notes == [], (slug, res.notes)
        if graph.nodes[eid].kind == Entity.Kind.GOVERNMENT_BODY:
            assert any(graph.is_state(c) for c in res.controllers), slug
    prc, usa = by_slug["prc"], by_slug["usa"]
    assert graph.resolve(by_slug["northern-rare-earth"]).controllers == {prc}
    assert graph.resolve(by_slug["baogang-group"]).controllers == {prc}
    assert graph.resolve(by_slug["xinhua"]).controllers == {prc}
    assert graph.resolve(by_slug["usgs"]).controllers == {usa}
    assert graph.resolve(by_slug["reuters"]).controllers == {by_slug["woodbridge"]}
    assert not graph.resolve(by_slug["reuters"]).state_controlled
    # Two outlets of one owner in the register are one group.
    assert not graph.independent(by_slug["mining-com"], by_slug["northern-miner"])
