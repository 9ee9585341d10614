"""Control resolution: who ultimately stands behind an entity.

The rule (docs/verdicts.md says the same in words):

* An ownership edge **confers control** when it is marked `controlling` or its stake is over
  50%. Only such edges are followed; a 30% stake is recorded but never followed. Several
  controlling owners of one entity control it **jointly**: each is followed, so an entity may
  have several ultimate controllers.
* The **ultimate controllers** of an entity are the ends of its controlling chains: entities
  with no controlling owner. An entity with no controlling owner is its own controller.
  Cross-holdings (cycles) are data: a cycle that nothing outside controls is a *closed group*
  and all its members are ultimate controllers together (formally: the members of every
  terminal strongly-connected component reachable upward). A chain that would revisit an
  entity ends there, and the resolution says so in `notes`.
* A **government body's** chain ends at its state through its ownership edge to the state
  (the seed register gives every government body a controlling edge to its state). A
  government body whose chain reaches no state is still state-controlled (it is part of a
  state by definition), and the resolution notes the missing edge so an editor can add it.
* An entity is **state-controlled** when one of its ultimate controllers is a state (or, as
  above, its chain passes through a government body).
* A **person** (kind `person`) owns and controls like any organisation and may be an ultimate
  controller. A person is never a state: a politically exposed person, or any other public
  role the data states (`public_role`), is shown and noted but does not make control state
  control (docs/ownership.md).
* Two entities are **independent** when their sets of ultimate controllers are disjoint.

Cost: `load_graph()` runs exactly two queries (entities, controlling edges) whatever the depth
of any chain; everything after that is in memory and iterative (chains 50+ levels deep, cycles
and joint control never recurse, hang or raise). Load it once per
request/page and resolve as many entities as needed from it.

`current_graph()` is the same graph, kept per process between requests and checked against
the database on every call: the register's version (`ownership.models.RegisterVersion`, one row
the database's own triggers change whenever an entity's id, name, kind, country or public role
or a controlling edge changes, by whatever path it was written: admin, queryset.update(), raw
SQL, an import's bulk statements) is read in the same query that would load the rows, and the
kept graph is used only when its version is the database's, else the graph is loaded again. So
an ownership edit counts on the very next call in every process; nothing relies on signals or
on `updated_at`, and the check costs one indexed row read whatever the register's size.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from ownership.models import Entity, EntityKind, Ownership, RegisterVersion

#: At most this many chains are listed per entity (joint control at many levels multiplies
#: paths); the controllers are always complete, only the listing is cut, with a note.
MAX_CHAINS = 64


@dataclass(frozen=True)
class Resolution:
    """The control resolution of one entity.

    `controllers`: ids of its ultimate controllers (itself when nothing controls it).
    `chains`: each path of controlling edges from the entity (first) upward to where it ends
    (an ultimate controller, or the entity at which a cycle closes).
    `state_controlled`: an ultimate controller is a state (or the chain passes a government body).
    `notes`: data facts a reviewer should see (cycles, missing edges, cut listings), in words.
    """

    entity_id: int
    controllers: frozenset[int]
    chains: list[list[int]]
    state_controlled: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    kind: str
    country: str
    role: str = ""  # a person's (or body's) public role, in words


class ControlGraph:
    """The controlling-ownership graph in memory. Build it with `load_graph()` (or directly
    from nodes and edges in tests); then `resolve(entity_id)` as often as needed."""

    def __init__(
        self,
        *,
        nodes: Iterable[Node],
        edges: Iterable[tuple[int, int]],
        unconfirmed: Iterable[tuple[int, int]] = (),
    ) -> None:
        """`edges` are (owner_id, owned_id) pairs that confer control; `unconfirmed` are those
        of them no public document confirms yet (followed all the same, marked when shown)."""
        self.nodes: dict[int, Node] = {n.id: n for n in nodes}
        self.unconfirmed: frozenset[tuple[int, int]] = frozenset(unconfirmed)
        self.parents: dict[int, list[int]] = {}
        for owner, owned in edges:
            if owner == owned:
                continue
            plist = self.parents.setdefault(owned, [])
            if owner not in plist:
                plist.append(owner)
        for plist in self.parents.values():
            plist.sort(key=lambda i: (self.name(i).lower(), i))
        self._terminal: dict[int, frozenset[int]] | None = None
        self._cache: dict[int, Resolution] = {}
        #: The register version of the rows it was built from (`current_graph`); None when
        #: unknown (`load_graph`, graphs built in tests), which never matches the database's.
        self.version: int | None = None

    # ------------------------------------------------------------------ names
    def name(self, entity_id: int | None) -> str:
        """The entity's name, or a placeholder that says the row is missing."""
        if entity_id is None:
            return "unknown publisher"
        node = self.nodes.get(entity_id)
        return node.name if node else f"entity #{entity_id} (missing)"

    def role(self, entity_id: int) -> str:
        node = self.nodes.get(entity_id)
        return node.role if node else ""

    def is_person(self, entity_id: int) -> bool:
        node = self.nodes.get(entity_id)
        return bool(node and node.kind == EntityKind.PERSON)

    def is_state(self, entity_id: int) -> bool:
        node = self.nodes.get(entity_id)
        return bool(node and node.kind == EntityKind.STATE)

    def render_chain(self, chain: list[int], *, closes_cycle: bool = False) -> str:
        """Names joined by arrows: "Xinhua News Agency → State Council → People's Republic of
        China"; a link resting on an unconfirmed edge is drawn "⇢ (unconfirmed)"."""
        parts = [self.name(chain[0])] if chain else []
        for lower, upper in itertools.pairwise(chain):
            arrow = " ⇢ (unconfirmed) " if (upper, lower) in self.unconfirmed else " → "
            parts.append(arrow + self.name(upper))
        text = "".join(parts)
        return text + " (cycle closes here)" if closes_cycle else text

    def group_label(self, controllers: Iterable[int]) -> str:
        """The names of a set of ultimate controllers, sorted: "A + B" for joint control."""
        return " + ".join(sorted(self.name(i) for i in controllers)) or "nobody on record"

    # ------------------------------------------------------------------ resolution
    def resolve(self, entity_id: int) -> Resolution:
        """Resolve one entity (memoised on this graph). Never raises for odd data: an id not in
        the graph resolves to itself with a note."""
        if entity_id in self._cache:
            return self._cache[entity_id]
        notes: list[str] = []
        if entity_id not in self.nodes:
            notes.append(f"Entity #{entity_id} is not in the register.")
        controllers = self._controllers(entity_id)
        chains, cycle_notes, cut = self._chains(entity_id)
        notes.extend(cycle_notes)
        if cut:
            notes.append(
                f"Only the first {MAX_CHAINS} chains are listed; the controllers are complete."
            )
        passes_gov_body = any(
            self.nodes.get(i) is not None and self.nodes[i].kind == EntityKind.GOVERNMENT_BODY
            for chain in chains
            for i in chain
        )
        has_state = any(self.is_state(c) for c in controllers)
        if passes_gov_body and not has_state:
            notes.append(
                "A government body on this chain has no controlling edge to its state: "
                "add that edge (treated as state-controlled meanwhile)."
            )
        for c in sorted(controllers, key=lambda c: (self.name(c), c)):
            if c != entity_id and self.is_person(c):
                role = self.role(c)
                notes.append(
                    f"Controlled by a person: {self.name(c)}"
                    + (f" ({role}; a public role is not state control)" if role else "")
                    + "."
                )
        result = Resolution(
            entity_id=entity_id,
            controllers=controllers,
            chains=chains,
            state_controlled=has_state or passes_gov_body,
            notes=notes,
        )
        self._cache[entity_id] = result
        return result

    def independent(self, a: int, b: int) -> bool:
        """Disjoint sets of ultimate controllers."""
        return self.resolve(a).controllers.isdisjoint(self.resolve(b).controllers)

    def _controllers(self, entity_id: int) -> frozenset[int]:
        terminal = self._terminal_components()
        found: set[int] = set()
        seen = {entity_id}
        stack = [entity_id]
        while stack:
            node = stack.pop()
            if node in terminal:
                found |= terminal[node]
                continue
            for parent in self.parents.get(node, ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return frozenset(found) if found else frozenset({entity_id})

    def _terminal_components(self) -> dict[int, frozenset[int]]:
        """Map each node of a terminal strongly-connected component (nothing outside it
        controls it) to that component. Iterative Tarjan: no recursion limit."""
        if self._terminal is not None:
            return self._terminal
        universe = set(self.nodes) | set(self.parents)
        for plist in self.parents.values():
            universe.update(plist)
        index: dict[int, int] = {}
        low: dict[int, int] = {}
        on_stack: set[int] = set()
        stack: list[int] = []
        comp_of: dict[int, int] = {}
        comps: list[list[int]] = []
        counter = 0
        for start in sorted(universe):
            if start in index:
                continue
            work = [(start, 0)]
            while work:
                node, i = work[-1]
                if i == 0 and node not in index:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                succ = self.parents.get(node, [])
                if i < len(succ):
                    work[-1] = (node, i + 1)
                    nxt = succ[i]
                    if nxt not in index:
                        work.append((nxt, 0))
                    elif nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                    continue
                work.pop()
                if work:
                    parent_node = work[-1][0]
                    low[parent_node] = min(low[parent_node], low[node])
                if low[node] == index[node]:
                    comp: list[int] = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp_of[w] = len(comps)
                        comp.append(w)
                        if w == node:
                            break
                    comps.append(comp)
        terminal: dict[int, frozenset[int]] = {}
        for ci, comp in enumerate(comps):
            if all(comp_of[p] == ci for n in comp for p in self.parents.get(n, ())):
                members = frozenset(comp)
                for n in comp:
                    terminal[n] = members
        self._terminal = terminal
        return terminal

    def _chains(self, entity_id: int) -> tuple[list[list[int]], list[str], bool]:
        """Every simple upward path (iterative DFS), ending at a node with no controlling owner
        or where the next step would revisit the path (a cycle closes there)."""
        chains: list[list[int]] = []
        notes: list[str] = []
        cut = False
        # Each frame: the path so far and the index of the next parent to try.
        path = [entity_id]
        on_path = {entity_id}
        iters = [0]
        extended = [False]
        while path:
            node = path[-1]
            plist = self.parents.get(node, [])
            i = iters[-1]
            if i < len(plist):
                iters[-1] = i + 1
                nxt = plist[i]
                if nxt in on_path:
                    extended[-1] = True
                    if len(chains) < MAX_CHAINS:
                        chains.append(list(path))
                        loop = [*path[path.index(nxt) :], nxt]
                        notes.append(
                            "Cycle: " + " → ".join(self.name(n) for n in loop) + " closes here."
                        )
                    else:
                        cut = True
                    continue
                extended[-1] = True
                if len(chains) >= MAX_CHAINS:
                    cut = True
                    break
                path.append(nxt)
                on_path.add(nxt)
                iters.append(0)
                extended.append(False)
                continue
            if not extended[-1]:
                if len(chains) < MAX_CHAINS:
                    chains.append(list(path))
                else:
                    cut = True
            on_path.discard(path.pop())
            iters.pop()
            extended.pop()
        # Several paths may close the same cycle: say it once.
        return chains, list(dict.fromkeys(notes)), cut


def controlling_q() -> Q:
    """The edges that confer control: marked controlling, or a stake over 50%.

    Imported edges follow the same rule; an import decides `controlling` when it writes the
    edge. GLEIF accounting-consolidation edges (`nature = consolidation`) are written with
    `controlling = True`: consolidation is defined by control (IFRS 10, ASC 810), and following
    them can only join groups, never make dependent sources look independent
    (docs/ownership-data.md)."""
    return Q(controlling=True) | Q(stake_pct__gt=50)


#: `controlling_q()` in SQL, for the statements below (and the register version's triggers).
CONTROLLING_SQL = "controlling OR stake_pct > 50"


def load_graph() -> ControlGraph:
    """Load the whole controlling graph: exactly two queries, whatever the chains' depth."""
    entity_rows = list(
        Entity.objects.order_by().values_list("id", "name", "kind", "country", "public_role")
    )
    rows = list(
        Ownership.objects.filter(controlling_q())
        .order_by()
        .values_list("owner_id", "owned_id", "confirmed")
    )
    return ControlGraph(
        nodes=[Node(id=i, name=n, kind=k, country=c, role=r) for i, n, k, c, r in entity_rows],
        edges=[(o, d) for o, d, _ in rows],
        unconfirmed=[(o, d) for o, d, confirmed in rows if not confirmed],
    )


# --- the per-process graph, checked against the register version on every use ----------------
# Everything the graph is built from, spelled as one text, so that one statement reads the
# version and (only when it is not the kept graph's) the rows, from the same snapshot. Each
# text field is length-prefixed, so the text parses back unambiguously:
#   entities by id:   <id>:<len>:<name><len>:<kind><len>:<country><len>:<public_role>
#   then "|", then controlling edges by (owner, owned):   <owner>><owned><"+" confirmed | "-">;


def spelled_sql(vendor: str) -> str:
    """SQL for the spelled text. Only constants and our own table names go into it."""
    e = Entity._meta.db_table
    o = Ownership._meta.db_table
    if vendor == "postgresql":
        entity = (
            "id::text || ':' || length(name)::text || ':' || name || length(kind)::text || ':' "
            "|| kind || length(country)::text || ':' || country "
            "|| length(public_role)::text || ':' || public_role"
        )
        edge = "owner_id::text || '>' || owned_id::text || (CASE WHEN confirmed THEN '+' ELSE '-' END) || ';'"
        return (
            f"coalesce((SELECT string_agg({entity}, '' ORDER BY id) FROM {e}), '') || '|' || "  # noqa: S608
            f"coalesce((SELECT string_agg({edge}, '' ORDER BY owner_id, owned_id) FROM {o} "
            f"WHERE {CONTROLLING_SQL}), '')"
        )
    entity = (
        "CAST(id AS TEXT) || ':' || length(name) || ':' || name || length(kind) || ':' || kind "
        "|| length(country) || ':' || country || length(public_role) || ':' || public_role"
    )
    edge = (
        "CAST(owner_id AS TEXT) || '>' || CAST(owned_id AS TEXT) || "
        "(CASE WHEN confirmed THEN '+' ELSE '-' END) || ';'"
    )
    return (
        f"coalesce((SELECT group_concat(x, '') FROM (SELECT {entity} AS x FROM {e} ORDER BY id)), '')"  # noqa: S608
        f" || '|' || coalesce((SELECT group_concat(x, '') FROM (SELECT {edge} AS x FROM {o} "
        f"WHERE {CONTROLLING_SQL} ORDER BY owner_id, owned_id)), '')"
    )


def _parse_spelled(text: str) -> ControlGraph:
    """The graph back from its spelled text (the inverse of the spelling above)."""
    nodes: list[Node] = []
    pos = 0

    def field(pos: int) -> tuple[str, int]:
        colon = text.index(":", pos)
        end = colon + 1 + int(text[pos:colon])
        return text[colon + 1 : end], end

    while text[pos] != "|":
        colon = text.index(":", pos)
        entity_id = int(text[pos:colon])
        name, pos = field(colon + 1)
        kind, pos = field(pos)
        country, pos = field(pos)
        role, pos = field(pos)
        nodes.append(Node(id=entity_id, name=name, kind=kind, country=country, role=role))
    edges: list[tuple[int, int]] = []
    unconfirmed: list[tuple[int, int]] = []
    for item in text[pos + 1 :].split(";")[:-1]:
        owner, owned = item[:-1].split(">")
        edge = (int(owner), int(owned))
        edges.append(edge)
        if item[-1] == "-":
            unconfirmed.append(edge)
    return ControlGraph(nodes=nodes, edges=edges, unconfirmed=unconfirmed)


def register_version() -> int | None:
    """One indexed read: the register's version now (None: no version row, so unknown)."""
    return RegisterVersion.objects.filter(pk=1).values_list("version", flat=True).first()


_kept_lock = threading.Lock()
_kept: ControlGraph | None = None


def current_graph() -> ControlGraph:
    """The control graph as the database holds it now, in ONE query whether or not this
    process already holds it: the query reads the register version and sends the rows only
    when the version differs from that of the graph this process kept (or there is none). A
    new graph is kept for the next call. Resolutions memoised on a kept graph are reused
    across calls, so callers treat the graph as read-only (as every caller does)."""
    global _kept
    kept = _kept
    known = kept.version if kept is not None else None
    rv = RegisterVersion._meta.db_table
    with connection.cursor() as cursor:
        # One statement, so the version and the rows come from the same snapshot.
        cursor.execute(
            f"SELECT v.version, CASE WHEN v.version = %s THEN NULL "  # noqa: S608
            f"ELSE ({spelled_sql(connection.vendor)}) END "
            f"FROM (SELECT (SELECT version FROM {rv} WHERE id = 1) AS version) v",
            [known],
        )
        version, text = cursor.fetchone()
    if kept is not None and version is not None and text is None:
        return kept
    graph = _parse_spelled(text)
    graph.version = version
    with _kept_lock:
        _kept = graph
    return graph
