"""How legible the ownership picture's layout is (issue 25): `python -m bench.picture`.

Builds control graphs of about 10, 50 and 120 entities in memory (states, ministries, SOEs,
layered holdings, joint control, a cycle, same-name bodies of two jurisdictions), sizes their
boxes as ownership/svg.py does, lays them out with each engine that is here and counts, with the
edges drawn as the picture draws them (dot's splines where dot routed them, else straight from
the bottom of the owner to the top of the owned):
overlapping node boxes, edge crossings, edges passing through a box that is not theirs, and the
drawing's width and height. Engines: the hand-written rows (ownership.svg._layout), grandalf's
Sugiyama layout (pure Python, PyPI; not a dependency: `pip install grandalf==0.8` to compare)
and Graphviz `dot` (Debian's graphviz, `make graphviz`), the last two only when installed. No
database.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")
os.environ.setdefault("DEBUG", "1")  # settings need a key; nothing here is served
django.setup()

from ownership.chains import ControlGraph, Node  # noqa: E402
from ownership.svg import (  # noqa: E402
    GAP_X,
    GAP_Y,
    MARGIN,
    _collect,
    _dot_layout,
    _layout,
    _sizes,
)

Pos = dict[int, tuple[float, float]]

PROVINCES = ["Inner Mongolia Autonomous Region", "Guangdong Province", "Shanghai Municipality"]


def control_graph(size: int) -> ControlGraph:
    """About `size` entities: two states, a ministry and an assets commission under each
    (the commission's name shared by both: told apart by jurisdiction only), SOEs under the
    commissions, layered holdings (three subsidiaries a company, four layers deep), a joint
    venture of both states' SOEs every few holdings and one cycle of cross-holdings."""
    nodes: list[Node] = []
    edges: list[tuple[int, int]] = []
    ids = itertools.count(1)

    def add(name: str, kind: str, country: str) -> int:
        i = next(ids)
        nodes.append(Node(id=i, name=name, kind=kind, country=country))
        return i

    states = [
        add("People's Republic of China", "state", "CN"),
        add("Republic of Singapore", "state", "SG"),
    ]
    commissions = []
    for state, country in zip(states, ("CN", "SG"), strict=True):
        ministry = add(f"Ministry of Finance ({country})", "government_body", country)
        edges.append((state, ministry))
        body = add(
            "State-owned Assets Supervision and Administration Commission",
            "government_body",
            country,
        )
        edges.append((state, body))
        commissions.append((body, ministry, country))
    frontier: list[tuple[int, str]] = []
    for k in itertools.count():
        if len(nodes) >= size:
            break
        body, ministry, country = commissions[k % 2]
        soe = add(f"{PROVINCES[k % 3]} Energy Investment Group Co., Ltd. {k}", "soe", country)
        edges.append((body if k % 3 else ministry, soe))
        frontier.append((soe, country))
        if len(nodes) >= size:
            break
        # Holdings, breadth first, three a company.
        while frontier and len(nodes) < size and len(frontier) < 4 * (k + 1):
            parent, c = frontier.pop(0)
            for j in range(3):
                if len(nodes) >= size:
                    break
                child = add(f"Holding {parent}-{j} Technology Development Co., Ltd.", "soe", c)
                edges.append((parent, child))
                frontier.append((child, c))
    # Joint control: every seventh holding also has an SOE of the other state as an owner.
    soes = [n.id for n in nodes if n.kind == "soe"]
    by_country = {c: [n.id for n in nodes if n.kind == "soe" and n.country == c] for c in "CS"}
    for i, node in enumerate(soes[4::7]):
        other = by_country["S" if nodes[node - 1].country == "CN" else "C"]
        if other and other[0] != node:
            edges.append((other[i % len(other)], node))
    # A cycle of cross-holdings between the last two holdings.
    if len(soes) > 3:
        edges.append((soes[-1], soes[-2]))
        edges.append((soes[-2], soes[-1]))
    return ControlGraph(nodes=nodes, edges=list(dict.fromkeys(edges)))


# ---------------------------------------------------------------- engines
def hand(order, level, edges, widths, box_h) -> Pos:
    return _layout(order, level, edges, widths, box_h)[0]


def grandalf_layout(order, level, edges, widths, box_h) -> Pos:
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    class View:
        def __init__(self, w: float, h: float) -> None:
            self.w, self.h, self.xy = w, h, (0.0, 0.0)

    vs = {n: Vertex(n) for n in order}
    for n, v in vs.items():
        v.view = View(widths[n], box_h)
    g = Graph(list(vs.values()), [Edge(vs[a], vs[b]) for a, b in edges])
    pos: Pos = {}
    x0 = MARGIN
    for comp in g.C:
        sug = SugiyamaLayout(comp)
        sug.xspace, sug.yspace = GAP_X, GAP_Y
        roots = [v for v in comp.sV if not any(e.v[1] is v for e in v.e)] or None
        sug.init_all(roots=roots)
        sug.draw()
        left = min(v.view.xy[0] - v.view.w / 2 for v in comp.sV)
        for v in comp.sV:
            x, y = v.view.xy
            pos[v.data] = (x0 + x - v.view.w / 2 - left, MARGIN + y - box_h / 2)
        x0 = max(p[0] + widths[n] for n, p in pos.items()) + GAP_X
    return pos


def dot_layout(order, level, edges, widths, box_h, routes=None) -> Pos:
    """The picture's own dot call (ownership.svg._dot_layout); `routes` gets dot's splines."""
    return _dot_layout(order, edges, widths, box_h, routes)[0]


ENGINES: dict[str, Callable] = {"hand-written": hand}
try:
    import grandalf  # noqa: F401

    ENGINES["grandalf"] = grandalf_layout
except ImportError:
    pass
if shutil.which("dot"):
    ENGINES["dot"] = dot_layout


# ---------------------------------------------------------------- measures
def _bezier(points: list[tuple[float, float]], steps: int = 8) -> list[tuple[float, float]]:
    """A cubic B\u00e9zier spline (dot's edge route) as a polyline."""
    out = [points[0]]
    for i in range(0, len(points) - 1, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(1, steps + 1):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            out.append(
                (
                    a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                    a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
                )
            )
    return out


def _segments(edges, pos, widths, box_h, routes=None):
    """Each edge as the picture draws it: dot's spline when it routed one, else straight from
    the bottom of the owner to the top of the owned; as a list of straight pieces."""
    for owner, owned in edges:
        route = (routes or {}).get((owner, owned))
        if route:
            line = _bezier(route)
            yield owner, owned, [(*a, *b) for a, b in itertools.pairwise(line)]
            continue
        (ox, oy), (dx, dy) = pos[owner], pos[owned]
        x1, y1 = ox + widths[owner] / 2, oy + box_h
        x2, y2 = dx + widths[owned] / 2, dy
        if y1 > y2:
            y1, y2 = oy, dy + box_h
        yield owner, owned, [(x1, y1, x2, y2)]


def _cross(a, b) -> bool:
    (x1, y1, x2, y2), (x3, y3, x4, y4) = a, b

    def orient(ax, ay, bx, by, cx, cy):
        v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        return (v > 1e-9) - (v < -1e-9)

    d1, d2 = orient(x3, y3, x4, y4, x1, y1), orient(x3, y3, x4, y4, x2, y2)
    d3, d4 = orient(x1, y1, x2, y2, x3, y3), orient(x1, y1, x2, y2, x4, y4)
    return d1 * d2 < 0 and d3 * d4 < 0


def _through(seg, box) -> bool:
    """Does the segment pass through the box's inside (Liang-Barsky clipping)?"""
    x1, y1, x2, y2 = seg
    bx, by, bw, bh = box
    t0, t1 = 0.0, 1.0
    dx, dy = x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - bx), (dx, bx + bw - x1), (-dy, y1 - by), (dy, by + bh - y1)):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 >= t1:
            return False
    return t1 - t0 > 1e-6


def measure(order, edges, pos, widths, box_h, routes=None) -> dict[str, float]:
    boxes = {n: (pos[n][0], pos[n][1], widths[n], box_h) for n in order}
    overlaps = sum(
        1
        for a, b in itertools.combinations(order, 2)
        if boxes[a][0] < boxes[b][0] + boxes[b][2]
        and boxes[b][0] < boxes[a][0] + boxes[a][2]
        and boxes[a][1] < boxes[b][1] + boxes[b][3]
        and boxes[b][1] < boxes[a][1] + boxes[a][3]
    )
    segs = list(_segments(edges, pos, widths, box_h, routes))
    crossings = sum(
        1
        for (a1, b1, p1), (a2, b2, p2) in itertools.combinations(segs, 2)
        if not {a1, b1} & {a2, b2} and any(_cross(s1, s2) for s1 in p1 for s2 in p2)
    )
    through = sum(
        1
        for owner, owned, pieces in segs
        if any(_through(seg, boxes[n]) for seg in pieces for n in order if n not in (owner, owned))
    )
    width = max(p[0] + widths[n] for n, p in pos.items()) + MARGIN
    height = max(p[1] for p in pos.values()) + box_h + MARGIN
    return {
        "overlaps": overlaps,
        "crossings": crossings,
        "through": through,
        "width": width,
        "height": height,
    }


def run(sizes: list[int]) -> list[dict]:
    results = []
    for size in sizes:
        graph = control_graph(size)
        owners = {o for ps in graph.parents.values() for o in ps}
        leaves = [n for n in graph.nodes if n not in owners] + list(graph.nodes)
        order, level, edges, _ = _collect(graph, leaves)
        _, _, widths, box_h = _sizes(graph, order, {})
        for name, engine in ENGINES.items():
            routes: dict = {}
            started = time.perf_counter()
            if name == "dot":
                pos = engine(order, level, edges, widths, box_h, routes)
            else:
                pos = engine(order, level, edges, widths, box_h)
            ms = (time.perf_counter() - started) * 1000
            row = {"size": len(order), "edges": len(edges), "engine": name, "ms": ms}
            row.update(measure(order, edges, pos, widths, box_h, routes))
            results.append(row)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 50, 120])
    args = parser.parse_args()
    print(f"engines here: {', '.join(ENGINES)}")
    print(
        f"{'nodes':>5} {'edges':>5} {'engine':<13} {'overlaps':>8} {'crossings':>9} "
        f"{'through':>7} {'width':>7} {'height':>6} {'ms':>7}"
    )
    for r in run(args.sizes):
        print(
            f"{r['size']:>5} {r['edges']:>5} {r['engine']:<13} {r['overlaps']:>8} "
            f"{r['crossings']:>9} {r['through']:>7} {r['width']:>7.0f} {r['height']:>6.0f} "
            f"{r['ms']:>7.1f}"
        )


if __name__ == "__main__":
    main()
