"""The ownership picture: control chains drawn as SVG by the server (issue 12).

`ownership_svg()` draws every control chain of the given entities up to their ultimate
controllers (ownership.chains: the same resolution the suggestion rule uses), controllers at the
top, an arrow from each controlling owner down to what it controls. States get a double border
and a "STATE" tag; an unconfirmed edge is dashed; a cycle's closing edge is drawn too. Nodes may
be coloured by group (`groups`: the claim's origin group and each independent group, see
claims/reports.py) and tagged (`tags`: "origin", "source", ...).

Safety: every name is XML-escaped; the document has no script, no event attribute, no external
reference and no `<foreignObject>`, so it is inert whether inlined in a page, shown in an
`<img>` or opened on its own (the views also send it with `Content-Security-Policy:
default-src 'none'`). Names wrap, whole, onto lines of LINE_CHARS (never cut: the end is
where two bodies of one name differ, "… of the Inner Mongolia Autonomous Region People's
Government" / "… of the State Council"); the name is in the node's `<title>` too (a tooltip).
Two bodies of the same name on one picture also carry their jurisdiction ("JURISDICTION CN"). Tags are one vocabulary,
upper case: STATE, ORIGIN, SOURCE and the entity's kind in words (TAG_WORDS).

No queries: it reads a loaded `ControlGraph` only.
"""

from __future__ import annotations

import functools
import itertools
import logging
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from ownership.chains import ControlGraph
from ownership.models import EntityKind

log = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
CONTENT_TYPE = "image/svg+xml; charset=utf-8"
#: Headers for a served picture: nothing in it may run, load or be sniffed as something else.
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
}

LINE_CHARS = 30
LINE_H = 14
#: Tags in words, whatever a caller passes (an entity kind's code or a word of ours).
TAG_WORDS = {
    EntityKind.STATE: "STATE",
    EntityKind.GOVERNMENT_BODY: "GOVERNMENT BODY",
    EntityKind.SOE: "STATE-OWNED ENTERPRISE",
    EntityKind.PRIVATE_COMPANY: "PRIVATE COMPANY",
    EntityKind.MEDIA_OUTLET: "MEDIA OUTLET",
    EntityKind.DATA_PROVIDER: "DATA PROVIDER",
    EntityKind.RESEARCH_BODY: "RESEARCH BODY",
    EntityKind.PERSON: "PERSON",
}
#: At most this many entities are drawn (a state with hundreds of holdings is still readable);
#: the caption says how many were left out.
MAX_NODES = 120

BOX_H = 40
CHAR_W = 6.6
PAD_X = 14
GAP_X = 22
GAP_Y = 62
MARGIN = 16

#: Graphviz `dot` (Debian's graphviz, which `make graphviz` installs) places the boxes when it is
#: here: layered, crossings reduced, long edges routed between boxes. Without it (or if it fails)
#: the hand-written rows do. bench.picture measured both (README).
DOT = shutil.which("dot")
DOT_TIMEOUT = 10

NEUTRAL_FILL = "#f4f4f2"
NEUTRAL_STROKE = "#8a8a84"
#: The claim's origin group, then one colour per independent group (colour-blind-safe Okabe-Ito
#: hues, lightened for fills; the stroke carries the strong hue).
ORIGIN_COLOUR = ("#fbe3d6", "#c0392b")
GROUP_COLOURS = [
    ("#d8ecf8", "#0072b2"),
    ("#d9f2e6", "#009e73"),
    ("#fdf1cc", "#b8860b"),
    ("#eadcf2", "#8e44ad"),
    ("#d5f0f5", "#1a8fa3"),
    ("#f6dbe8", "#cc79a7"),
    ("#e6e6e6", "#555555"),
]


@dataclass(frozen=True)
class Group:
    """A colour group: the entity ids it paints, and what the legend calls it."""

    key: str  # "origin" or "independent-N"
    label: str
    members: frozenset[int]


@dataclass
class Picture:
    """The laid-out picture (for tests and callers that want the node list)."""

    svg: str
    node_ids: list[int]
    left_out: int = 0
    edges: list[tuple[int, int]] = field(default_factory=list)


def _wrap(words: list[str], width: int) -> list[str]:
    """Words onto lines of `width`; a single word longer than that keeps its own line whole
    (its box grows to fit)."""
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def name_lines(name: str) -> list[str]:
    """The whole name on lines of LINE_CHARS (never cut: the end is where two bodies of one
    name differ, the beginning what they are)."""
    return _wrap(name.split() or [name], LINE_CHARS)


def tag_words(tags: Iterable[str]) -> list[str]:
    return [TAG_WORDS.get(t, str(t).replace("_", " ").upper()) for t in tags]


def node_words(graph: ControlGraph, node: int, tags: list[str]) -> list[str]:
    """A node's tags in words: STATE first for a state; a person's public role as the data
    states it (never drawn as state control)."""
    if graph.is_person(node):
        role = graph.role(node)
        return ["PERSON", *([role[: LINE_CHARS * 2]] if role else [])]
    return (["STATE"] if graph.is_state(node) else []) + tag_words(tags)


def _collect(
    graph: ControlGraph, starts: Sequence[int]
) -> tuple[list[int], dict[int, int], list[tuple[int, int]], int]:
    """Nodes (first-seen order), each node's level (its largest distance up from a start),
    edges (owner, owned) and how many nodes were left out by MAX_NODES."""
    order: list[int] = []
    level: dict[int, int] = {}
    edges: list[tuple[int, int]] = []
    wanted: set[int] = set()
    for start in dict.fromkeys(starts):
        for chain in graph.resolve(start).chains or [[start]]:
            for depth, node in enumerate(chain):
                wanted.add(node)
                if node not in level:
                    order.append(node)
                level[node] = max(level.get(node, 0), depth)
            for lower, upper in itertools.pairwise(chain):
                edges.append((upper, lower))
    left_out = max(0, len(order) - MAX_NODES)
    kept = set(order[:MAX_NODES])
    order = order[:MAX_NODES]
    # A chain that ends where a cycle closes still has a controlling owner on the picture:
    # draw that closing edge too.
    for node in order:
        for parent in graph.parents.get(node, ()):
            if parent in kept:
                edges.append((parent, node))
    edges = [e for e in dict.fromkeys(edges) if e[0] in kept and e[1] in kept and e[0] != e[1]]
    return order, {n: level[n] for n in order}, edges, left_out


def _layout(
    order: list[int],
    level: dict[int, int],
    edges: list[tuple[int, int]],
    widths: dict[int, float],
    box_h: float = BOX_H,
) -> tuple[dict[int, tuple[float, float]], float, float]:
    """Rows by level (controllers on top), each row ordered by the mean position of what its
    nodes control (one barycentre pass, bottom up), centred. Returns the top-left corner of
    each box, and the drawing's width and height."""
    top = max(level.values(), default=0)
    rows: dict[int, list[int]] = {}
    for node in order:
        rows.setdefault(level[node], []).append(node)
    children: dict[int, list[int]] = {}
    for owner, owned in edges:
        children.setdefault(owner, []).append(owned)
    rank: dict[int, float] = {}
    for lvl in range(0, top + 1):
        row = rows.get(lvl, [])
        if lvl > 0:
            first_seen = {n: i for i, n in enumerate(row)}

            def key(n: int, first_seen: dict[int, int] = first_seen) -> tuple[float, int]:
                below = [rank[c] for c in children.get(n, ()) if c in rank]
                return (sum(below) / len(below) if below else float(len(rank)), first_seen[n])

            row.sort(key=key)
        for i, node in enumerate(row):
            rank[node] = i
    row_widths = {
        lvl: sum(widths[n] for n in row) + GAP_X * (len(row) - 1) for lvl, row in rows.items()
    }
    width = max(row_widths.values(), default=0) + 2 * MARGIN
    height = (top + 1) * box_h + top * GAP_Y + 2 * MARGIN
    pos: dict[int, tuple[float, float]] = {}
    for lvl, row in rows.items():
        x = MARGIN + (width - 2 * MARGIN - row_widths[lvl]) / 2
        y = MARGIN + (top - lvl) * (box_h + GAP_Y)
        for node in row:
            pos[node] = (x, y)
            x += widths[node] + GAP_X
    return pos, width, height


def _sizes(
    graph: ControlGraph, order: list[int], tags: dict[int, list[str]]
) -> tuple[dict[int, list[str]], dict[int, list[str]], dict[int, float], float]:
    """Each node's name lines, tag words and box width; the picture's one box height."""
    lines = {n: name_lines(graph.name(n)) for n in order}
    words_of = {n: node_words(graph, n, tags.get(n, [])) for n in order}
    # Same-name bodies told apart: each carries its jurisdiction.
    by_name: dict[str, list[int]] = {}
    for n in order:
        by_name.setdefault(" ".join(graph.name(n).split()).casefold(), []).append(n)
    for same in by_name.values():
        if len(same) > 1:
            for n in same:
                country = graph.nodes[n].country if n in graph.nodes else ""
                words_of[n].append(f"JURISDICTION {country.upper() or 'NOT ON RECORD'}")
    widths = {
        n: max(
            90.0,
            max(len(line) for line in lines[n]) * CHAR_W + 2 * PAD_X,
            len(" · ".join(words_of[n])) * CHAR_W * 0.8 + 2 * PAD_X,
        )
        for n in order
    }
    # One box height for the picture (rows stay aligned): the most lines any name needs.
    most = max((len(v) for v in lines.values()), default=1)
    return lines, words_of, widths, BOX_H + (most - 1) * LINE_H


@functools.lru_cache(maxsize=1024)
def _dot_plain(dot: str, source: str) -> str:
    """dot's `-Tplain` answer for a graph, kept per process: the same picture (the same ids,
    edges and box sizes) is laid out once, not at every page (a staff report draws one picture
    a claim; dot is a process of its own, 5-10 ms). A failure is not kept: it raises."""
    # The found dot binary, fed ids and sizes only (no name reaches it).
    return subprocess.run(  # noqa: S603
        [dot, "-Tplain"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        timeout=DOT_TIMEOUT,
    ).stdout


def _dot_layout(
    order: list[int],
    edges: list[tuple[int, int]],
    widths: dict[int, float],
    box_h: float,
    routes: dict[tuple[int, int], list[tuple[float, float]]] | None = None,
) -> tuple[dict[int, tuple[float, float]], float, float] | None:
    """The boxes placed by Graphviz `dot` (owners above what they own), as `_layout` returns
    them; None when dot is not installed or fails (the caller falls back to `_layout`).
    `routes`, when given, receives each edge's path as dot routes it around the boxes: the
    points of a cubic Bézier spline, from the owner's box to the owned one's."""
    if not DOT or not order:
        return None
    source = "\n".join(
        [
            "digraph g {",
            f"nodesep={GAP_X / 72:.3f}; ranksep={GAP_Y / 72:.3f};",
            'node [shape=box fixedsize=true label=""]; edge [arrowhead=none];',
            *(f"n{n} [width={widths[n] / 72:.3f} height={box_h / 72:.3f}];" for n in order),
            *(f"n{a} -> n{b};" for a, b in edges),
            "}",
        ]
    )
    try:
        out = _dot_plain(DOT, source)
        graph_w = graph_h = 0.0
        pos: dict[int, tuple[float, float]] = {}
        paths: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for row in out.splitlines():
            parts = row.split()
            if parts and parts[0] == "graph":
                graph_w, graph_h = float(parts[2]) * 72, float(parts[3]) * 72
            elif parts and parts[0] == "node":
                n = int(parts[1][1:])
                x, y = float(parts[2]) * 72, float(parts[3]) * 72  # centre, y up
                pos[n] = (MARGIN + x - widths[n] / 2, MARGIN + graph_h - y - box_h / 2)
            elif parts and parts[0] == "edge":
                count = int(parts[3])
                coords = [float(v) * 72 for v in parts[4 : 4 + 2 * count]]
                points = [
                    (MARGIN + coords[i], MARGIN + graph_h - coords[i + 1])
                    for i in range(0, len(coords), 2)
                ]
                if count >= 4 and count % 3 == 1:
                    paths[(int(parts[1][1:]), int(parts[2][1:]))] = points
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        log.warning("dot failed (%s): the picture falls back to the hand-written layout", exc)
        return None
    if set(pos) != set(order):
        log.warning("dot placed %d of %d boxes: hand-written layout instead", len(pos), len(order))
        return None
    if routes is not None:
        routes.update(paths)
    return pos, graph_w + 2 * MARGIN, graph_h + 2 * MARGIN


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def ownership_svg(
    *,
    graph: ControlGraph,
    entity_ids: Iterable[int],
    title: str,
    groups: Sequence[Group] = (),
    tags: dict[int, list[str]] | None = None,
    id_prefix: str = "own",
) -> Picture:
    """The control chains of `entity_ids` up to their ultimate controllers, as an SVG document.

    `groups` colour their members (the first group a node is in wins; put the origin group
    first). `tags` add short words under a node's name ("ORIGIN", "SOURCE", an entity kind's
    code; shown upper case, kinds in words). `id_prefix` keeps
    the ids inside the document unique when several pictures are inlined in one page."""
    tags = tags or {}
    starts = list(entity_ids)
    order, level, edges, left_out = _collect(graph, starts)
    lines, words_of, widths, box_h = _sizes(graph, order, tags)
    routes: dict[tuple[int, int], list[tuple[float, float]]] = {}
    pos, width, height = _dot_layout(order, edges, widths, box_h, routes) or _layout(
        order, level, edges, widths, box_h
    )
    colour: dict[int, tuple[str, str]] = {}
    legend: list[tuple[tuple[str, str], str]] = []
    palette = iter(itertools.cycle(GROUP_COLOURS))
    for group in groups:
        hue = ORIGIN_COLOUR if group.key == "origin" else next(palette)
        legend.append((hue, group.label))
        for member in group.members:
            colour.setdefault(member, hue)

    legend_rows = len(legend) + 2  # + the state marker and the edge styles
    legend_h = legend_rows * 18 + 10
    width = max(width, 420)
    total_h = height + legend_h + 18
    arrow = f"{id_prefix}-arrow"
    out: list[str] = [
        f'<svg xmlns="{SVG_NS}" role="img" width="{_num(width)}" height="{_num(total_h)}" '
        f'viewBox="0 0 {_num(width)} {_num(total_h)}" aria-labelledby="{id_prefix}-title" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        "<defs>"
        f'<marker id="{arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(total_h)}" fill="#ffffff"/>',
    ]
    # Edges first, under the boxes.
    out.append('<g class="edges" fill="none" stroke="#555" stroke-width="1.4">')
    for owner, owned in edges:
        (ox, oy), (dx, dy) = pos[owner], pos[owned]
        x1, y1 = ox + widths[owner] / 2, oy + box_h
        x2, y2 = dx + widths[owned] / 2, dy
        if y1 > y2:  # a cycle's closing edge points up: leave from the top, enter from below
            y1, y2 = oy, dy + box_h
        dashed = (owner, owned) in graph.unconfirmed
        label = f"{graph.name(owner)} controls {graph.name(owned)}" + (
            " (unconfirmed)" if dashed else ""
        )
        route = routes.get((owner, owned))
        if route:  # dot's spline, around the boxes in its way
            head, *rest = route
            d = f"M{_num(head[0])},{_num(head[1])} " + " ".join(
                "C" + " ".join(f"{_num(x)},{_num(y)}" for x, y in rest[i : i + 3])
                for i in range(0, len(rest), 3)
            )
        else:
            d = f"M{_num(x1)},{_num(y1)} L{_num(x2)},{_num(y2)}"
        out.append(
            f'<path d="{d}" '
            f'marker-end="url(#{arrow})"'
            + (' stroke-dasharray="5 4"' if dashed else "")
            + f"><title>{escape(label)}</title></path>"
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in order:
        x, y = pos[node]
        w = widths[node]
        name = graph.name(node)
        fill, stroke = colour.get(node, (NEUTRAL_FILL, NEUTRAL_STROKE))
        is_state = graph.is_state(node)
        words = words_of[node]
        kind = graph.nodes[node].kind if node in graph.nodes else ""
        out.append(
            f'<g class="node{" state" if is_state else ""}" data-entity={quoteattr(str(node))} '
            f"data-kind={quoteattr(kind)}>"
        )
        out.append(f"<title>{escape(name)}</title>")
        out.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(box_h)}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{2.4 if is_state else 1.4}"/>'
        )
        if is_state:
            out.append(
                f'<rect x="{_num(x + 3)}" y="{_num(y + 3)}" width="{_num(w - 6)}" '
                f'height="{_num(box_h - 6)}" rx="4" fill="none" stroke="{stroke}" '
                'stroke-width="1"/>'
            )
        cx = x + w / 2
        # The name's lines and the tags, centred in the box together.
        block = len(lines[node]) * LINE_H + (11 if words else 0)
        first_y = y + (box_h - block) / 2 + 11
        weight = "700" if node in starts else "400"
        out.append(
            f'<text x="{_num(cx)}" y="{_num(first_y)}" text-anchor="middle" fill="#1b1b1b" '
            f'font-weight="{weight}">'
            + "".join(
                f'<tspan x="{_num(cx)}" dy="{0 if i == 0 else LINE_H}">{escape(line)}</tspan>'
                for i, line in enumerate(lines[node])
            )
            + "</text>"
        )
        if words:
            tag_y = first_y + (len(lines[node]) - 1) * LINE_H + 13
            out.append(
                f'<text x="{_num(cx)}" y="{_num(tag_y)}" text-anchor="middle" fill="{stroke}" '
                f'font-size="9.5" letter-spacing="0.06em">{escape(" · ".join(words))}</text>'
            )
        out.append("</g>")
    out.append("</g>")
    # Legend.
    ly = height + 8
    out.append(f'<g class="legend" font-size="11" transform="translate({MARGIN},{_num(ly)})">')
    row = 0
    for (fill, stroke), label in legend:
        out.append(
            f'<rect x="0" y="{row * 18}" width="14" height="12" rx="2" fill="{fill}" '
            f'stroke="{stroke}"/><text x="20" y="{row * 18 + 10}" fill="#1b1b1b">'
            f"{escape(label)}</text>"
        )
        row += 1
    out.append(
        f'<rect x="0" y="{row * 18}" width="14" height="12" rx="2" fill="#fff" stroke="#555" '
        f'stroke-width="2.4"/><text x="20" y="{row * 18 + 10}" fill="#1b1b1b">'
        "STATE: a state (a country's government as a whole)</text>"
    )
    row += 1
    out.append(
        f'<path d="M0,{row * 18 + 6} L14,{row * 18 + 6}" stroke="#555" '
        f'marker-end="url(#{arrow})"/><text x="20" y="{row * 18 + 10}" fill="#1b1b1b">'
        "controls (dashed: no public document confirms the edge yet)"
        + (f"; {left_out} more entities not drawn" if left_out else "")
        + "</text>"
    )
    out.append("</g></svg>")
    return Picture(svg="".join(out), node_ids=order, left_out=left_out, edges=edges)


def entity_picture(*, graph: ControlGraph, entity_id: int, id_prefix: str = "own") -> Picture:
    """One entity's control chains, its ultimate controllers' group coloured."""
    res = graph.resolve(entity_id)
    members = {n for chain in res.chains for n in chain} | set(res.controllers)
    kind = graph.nodes[entity_id].kind if entity_id in graph.nodes else ""
    label = "Controlled by " + graph.group_label(res.controllers)
    if res.state_controlled:
        label += " (state-controlled)"
    return ownership_svg(
        graph=graph,
        entity_ids=[entity_id],
        title=f"Control chains of {graph.name(entity_id)}",
        groups=[Group(key="origin", label=label, members=frozenset(members))],
        tags={entity_id: [kind]} if kind and kind != EntityKind.STATE else {},
        id_prefix=id_prefix,
    )
