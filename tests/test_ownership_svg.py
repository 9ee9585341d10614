"""The ownership picture (ownership/svg.py): valid SVG that holds every node of every
chain, marks states, colours the origin group and each independent group apart, escapes names,
carries nothing that runs, and is served as image/svg+xml to those who may see it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from claims.reports import claim_picture
from ownership.chains import ControlGraph, Node, current_graph
from ownership.models import Entity
from ownership.svg import MAX_NODES, entity_picture
from tests.factories import ClaimFactory, EntityFactory, EvidenceFactory, OwnershipFactory

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def node_groups(root: ET.Element) -> dict[int, ET.Element]:
    return {
        int(g.get("data-entity")): g
        for g in root.iter(f"{NS}g")
        if g.get("data-entity") is not None
    }


def assert_inert(root: ET.Element) -> None:
    for el in root.iter():
        local = el.tag.removeprefix(NS)
        assert local not in {"script", "foreignObject", "iframe", "image", "use", "a"}, local
        for attr in el.attrib:
            assert not attr.lower().startswith("on"), attr
            assert "href" not in attr.lower(), attr


def graph_of(names: dict[int, tuple[str, str]], edges: list[tuple[int, int]]) -> ControlGraph:
    return ControlGraph(
        nodes=[Node(id=i, name=n, kind=k, country="") for i, (n, k) in names.items()],
        edges=edges,
    )


def test_every_chain_node_is_drawn_and_states_are_marked():
    # 1 <- 2 <- 3 (state); 1 <- 4 <- 5 (state): joint control through two chains.
    graph = graph_of(
        {
            1: ("Joint Venture", "private_company"),
            2: ("Parent A", "soe"),
            3: ("State A", "state"),
            4: ("Parent B", "private_company"),
            5: ("State B", "state"),
        },
        [(2, 1), (3, 2), (4, 1), (5, 4)],
    )
    picture = entity_picture(graph=graph, entity_id=1)
    root = parse(picture.svg)
    nodes = node_groups(root)
    expected = {n for chain in graph.resolve(1).chains for n in chain}
    assert set(nodes) == expected == {1, 2, 3, 4, 5}
    for eid, g in nodes.items():
        assert g.find(f"{NS}title").text == graph.name(eid)
        is_state = "state" in g.get("class").split()
        assert is_state == (graph.nodes[eid].kind == "state")
        texts = " ".join(t.text or "" for t in g.iter(f"{NS}text"))
        assert ("STATE" in texts) == is_state
    # One edge per controlling link, each an arrow.
    paths = [p for p in root.iter(f"{NS}path") if p.get("marker-end")]
    titles = {p.find(f"{NS}title").text for p in paths if p.find(f"{NS}title") is not None}
    assert {"Parent A controls Joint Venture", "State B controls Parent B"} <= titles
    assert_inert(root)


def test_cycles_draw_the_closing_edge_and_never_hang():
    graph = graph_of(
        {
            1: ("Outlet", "media_outlet"),
            2: ("Holding X", "private_company"),
            3: ("Holding Y", "private_company"),
        },
        [(2, 1), (3, 2), (2, 3)],
    )
    picture = entity_picture(graph=graph, entity_id=1)
    root = parse(picture.svg)
    assert set(node_groups(root)) == {1, 2, 3}
    assert (2, 3) in picture.edges and (3, 2) in picture.edges


def test_names_are_escaped_and_nothing_in_the_picture_runs():
    evil = '<script>alert(1)</script> & "Co" <a href="javascript:x" onload="y">'
    graph = graph_of({1: (evil, "media_outlet"), 2: ("Owner ]]> <!--", "state")}, [(2, 1)])
    picture = entity_picture(graph=graph, entity_id=1)
    root = parse(picture.svg)
    assert node_groups(root)[1].find(f"{NS}title").text == evil
    assert "<script>" not in picture.svg
    assert_inert(root)


def test_a_huge_register_is_cut_with_a_note():
    names = {i: (f"Holding {i}", "private_company") for i in range(1, MAX_NODES + 40)}
    edges = [(i + 1, i) for i in range(1, MAX_NODES + 39)]
    graph = graph_of(names, edges)
    picture = entity_picture(graph=graph, entity_id=1)
    root = parse(picture.svg)
    assert len(node_groups(root)) == MAX_NODES
    assert picture.left_out == 39
    assert "39 more entities not drawn" in picture.svg


@pytest.mark.django_db
def test_every_seed_entity_draws_valid_svg_with_all_its_chain_nodes(seeded):
    graph = current_graph()
    ids = list(Entity.objects.values_list("id", flat=True))
    assert len(ids) > 50
    for eid in ids:
        picture = entity_picture(graph=graph, entity_id=eid)
        root = parse(picture.svg)
        expected = {n for chain in graph.resolve(eid).chains for n in chain} or {eid}
        assert set(node_groups(root)) == expected, graph.name(eid)
        assert_inert(root)


@pytest.mark.django_db
def test_the_claim_picture_colours_the_origin_group_and_each_independent_group_apart():
    china = EntityFactory(name="People's Republic of China", slug="cn", kind="state", country="CN")
    northern = EntityFactory(name="Northern Rare Earth", slug="nre", kind="soe")
    xinhua = EntityFactory(name="Xinhua", slug="xinhua", kind="media_outlet")
    OwnershipFactory(owner=china, owned=northern)
    OwnershipFactory(owner=china, owned=xinhua)
    thomson = EntityFactory(name="Thomson Reuters", slug="tr")
    reuters = EntityFactory(name="Reuters", slug="reuters", kind="media_outlet")
    OwnershipFactory(owner=thomson, owned=reuters)
    usa = EntityFactory(name="United States", slug="us", kind="state")
    usgs = EntityFactory(name="USGS", slug="usgs", kind="government_body")
    OwnershipFactory(owner=usa, owned=usgs)
    claim = ClaimFactory(origin=northern)
    for outlet in (xinhua, reuters, usgs):
        EvidenceFactory(claim=claim, publisher=outlet, url=f"https://{outlet.slug}.example/a")
    picture = claim_picture(
        graph=current_graph(),
        claim=claim,
        publisher_ids=[xinhua.pk, reuters.pk, usgs.pk],
        id_prefix="t",
    )
    root = parse(picture.svg)
    nodes = node_groups(root)
    assert set(nodes) == {china.pk, northern.pk, xinhua.pk, thomson.pk, reuters.pk, usa.pk, usgs.pk}

    def fill(eid: int) -> str:
        return nodes[eid].find(f"{NS}rect").get("fill")

    origin = fill(northern.pk)
    assert fill(china.pk) == fill(xinhua.pk) == origin  # same state group as the claimant
    assert fill(reuters.pk) == fill(thomson.pk) != origin
    assert fill(usgs.pk) == fill(usa.pk) not in {origin, fill(reuters.pk)}
    legend = " ".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "origin group" in legend and "Independent group 1" in legend
    assert "Independent group 2" in legend
    tags = " ".join(t.text or "" for t in nodes[northern.pk].iter(f"{NS}text"))
    assert "ORIGIN" in tags
    assert_inert(root)


@pytest.mark.django_db
def test_the_entity_picture_is_served_as_svg_to_staff_only(client, editor, reviewer):
    china = EntityFactory(name="People's Republic of China", slug="cn", kind="state")
    url = reverse("ownership:entity-svg", args=[china.pk])
    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.force_login(reviewer)
    assert client.get(url).status_code == 302  # reviewers are not staff
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    parse(response.content.decode())
    assert client.get(reverse("ownership:entity-svg", args=[999999])).status_code == 404
    # The entity admin shows it.
    page = client.get(reverse("admin:ownership_entity_change", args=[china.pk]))
    assert url.encode() in page.content


@pytest.mark.django_db
def test_the_claim_picture_is_served_to_the_desk(client, reviewer):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    url = reverse("claims:ownership-svg", args=[claim.pk])
    assert client.get(url).status_code == 302
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = parse(response.content.decode())
    assert claim.origin_id in node_groups(root)
    assert client.get(reverse("claims:ownership-svg", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_the_claim_admin_shows_the_picture(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)
    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    assert reverse("claims:ownership-svg", args=[claim.pk]).encode() in page.content
    assert client.get(reverse("claims:ownership-svg", args=[claim.pk])).status_code == 200


def label_of(g: ET.Element) -> str:
    """A node's visible name: its first <text>'s lines joined."""
    text = next(g.iter(f"{NS}text"))
    return " ".join(t.text or "" for t in text.iter(f"{NS}tspan"))


def test_long_names_wrap_and_two_bodies_of_one_long_name_are_told_apart():
    """Issue 25: "State-owned Assets Supervision and Admi…" twice, for Inner Mongolia's body
    and the State Council's. Names wrap onto lines, whole: never cut."""
    inner = (
        "State-owned Assets Supervision and Administration Commission of the Inner Mongolia "
        "Autonomous Region People's Government"
    )
    central = "State-owned Assets Supervision and Administration Commission of the State Council"
    graph = graph_of(
        {
            1: ("China Northern Rare Earth (Group) High-Tech Co., Ltd.", "soe"),
            2: (inner, "government_body"),
            3: (central, "government_body"),
            4: ("People's Republic of China", "state"),
        },
        [(2, 1), (3, 1), (4, 2), (4, 3)],
    )
    root = parse(entity_picture(graph=graph, entity_id=1).svg)
    nodes = node_groups(root)
    labels = {eid: label_of(g) for eid, g in nodes.items()}
    assert labels[3] == central  # fits on three lines: whole
    assert labels[1] == "China Northern Rare Earth (Group) High-Tech Co., Ltd."
    assert labels[2] != labels[3]
    assert labels[2] == inner  # five lines, whole
    for g in nodes.values():
        lines = [t.text for t in next(g.iter(f"{NS}text")).iter(f"{NS}tspan")]
        assert all(len(line) <= 30 for line in lines)
        # Every line inside its box (the box is wide enough for its longest line).
        width = float(g.find(f"{NS}rect").get("width"))
        assert width >= max(len(line) for line in lines) * 6.6


def test_tags_are_one_upper_case_vocabulary():
    graph = graph_of(
        {1: ("Northern Rare Earth", "soe"), 2: ("Baogang", "soe"), 3: ("China", "state")},
        [(2, 1), (3, 2)],
    )
    root = parse(entity_picture(graph=graph, entity_id=1).svg)
    tags = [
        t.text
        for g in node_groups(root).values()
        for t in list(g.iter(f"{NS}text"))[1:]  # the texts after the name
    ]
    assert "STATE-OWNED ENTERPRISE" in tags and "STATE" in tags
    assert all(t == t.upper() for t in tags)
    assert "soe" not in root.itertext()
