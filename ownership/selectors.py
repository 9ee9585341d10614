"""Reads on ownership that span tables: entities with their control chains, the publisher
behind a domain.

For the API (`publisher {id, name, state_controlled, controllers, chain}`), the admin and the
queue. Every function here costs a constant number of queries however many entities it is
asked about and however deep their chains are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ownership.chains import ControlGraph, Resolution, current_graph
from ownership.models import Entity
from ownership.publishers import publisher_for_url


@dataclass(frozen=True)
class ControlSummary:
    """What a reader needs to judge a publisher: its id and name, its ultimate controllers
    (id and name), whether it is state-controlled, and its chains as names."""

    id: int
    name: str
    state_controlled: bool
    controllers: list[dict]  # [{"id": 12, "name": "People's Republic of China"}]
    chain: list[str]  # the first chain, as names from the entity upward
    chains: list[list[str]]  # every chain, as names
    notes: list[str]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "state_controlled": self.state_controlled,
            "controllers": self.controllers,
            "chain": self.chain,
            "chains": self.chains,
            "notes": self.notes,
        }


def summarise(*, graph: ControlGraph, resolution: Resolution) -> ControlSummary:
    """A `ControlSummary` from a resolution (no queries)."""
    chains = [[graph.name(i) for i in chain] for chain in resolution.chains]
    return ControlSummary(
        id=resolution.entity_id,
        name=graph.name(resolution.entity_id),
        state_controlled=resolution.state_controlled,
        controllers=[
            {"id": c, "name": graph.name(c)}
            for c in sorted(resolution.controllers, key=lambda c: (graph.name(c), c))
        ],
        chain=chains[0] if chains else [graph.name(resolution.entity_id)],
        chains=chains,
        notes=list(resolution.notes),
    )


def entity_control_summaries(
    *, entity_ids: Iterable[int], graph: ControlGraph | None = None
) -> dict[int, ControlSummary]:
    """Control summaries for many entities at once: two queries (the graph), or none when a
    loaded `graph` is passed in."""
    graph = graph or current_graph()
    return {
        eid: summarise(graph=graph, resolution=graph.resolve(eid))
        for eid in dict.fromkeys(entity_ids)
    }


def entity_for_domain(*, domain: str) -> Entity | None:
    """The publisher behind a bare domain or URL (`GET entities/?domain=D`): the most specific
    registered domain wins, subdomains fall back to their parent; None when unknown."""
    domain = (domain or "").strip()
    if not domain:
        return None
    url = domain if "://" in domain else f"http://{domain}/"
    return publisher_for_url(url)


def entity_chains_text(*, entity_id: int, graph: ControlGraph | None = None) -> list[str]:
    """Each chain of one entity as a line of names, cycles marked; then the notes. For the
    admin's read-only field."""
    graph = graph or current_graph()
    res = graph.resolve(entity_id)
    # A chain whose last entity still has a controlling owner stopped because a cycle closed.
    lines = [
        graph.render_chain(chain, closes_cycle=bool(graph.parents.get(chain[-1])))
        for chain in res.chains
    ]
    lines.append(
        f"Ultimate controllers: {graph.group_label(res.controllers)}"
        f" — {'state-controlled' if res.state_controlled else 'not state-controlled'}."
    )
    lines.extend(res.notes)
    return lines
