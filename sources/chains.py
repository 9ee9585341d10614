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
* Two entities are **independent** when their sets of ultimate controllers are disjoint.

Cost: `load_graph()` runs exactly two queries (entities, controlling edges) whatever the depth
of any chain; everything after that is in memory and iterative (chains 50+ levels deep, cycles
and joint control never recurse, hang or raise). The graph is loaded per call rather than
cached across requests: with several web and worker processes a per-process cache could serve
an ownership edit late, and the issue asks that edits take effect on the next suggestion.
Load it once per request/page and resolve as many entities as needed from it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from sources.models import Entity, EntityKind, Ownership

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

    # ------------------------------------------------------------------ names
    def name(self, entity_id: int | None) -> str:
        """The entity's name, or a placeholder that says the row is missing."""
        if entity_id is None:
            return "unknown publisher"
        node = self.nodes.get(entity_id)
        return node.name if node else f"entity #{entity_id} (missing)"

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
    """The edges that confer control: marked controlling, or a stake over 50%."""
    return Q(controlling=True) | Q(stake_pct__gt=50)


def load_graph() -> ControlGraph:
    """Load the whole controlling graph: exactly two queries, whatever the chains' depth."""
    nodes = [
        Node(id=i, name=n, kind=k, country=c)
        for i, n, k, c in Entity.objects.order_by().values_list("id", "name", "kind", "country")
    ]
    rows = list(
        Ownership.objects.filter(controlling_q())
        .order_by()
        .values_list("owner_id", "owned_id", "confirmed")
    )
    return ControlGraph(
        nodes=nodes,
        edges=[(o, d) for o, d, _ in rows],
        unconfirmed=[(o, d) for o, d, confirmed in rows if not confirmed],
    )
