"""Reads on sources that span tables: entities with their control chains; archiving health.

For the API (`publisher {id, name, state_controlled, controllers, chain}`), the admin and the
queue. Every function here costs a constant number of queries however many entities it is
asked about and however deep their chains are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from sources.chains import ControlGraph, Resolution, current_graph
from sources.models import Entity, Snapshot, WorkerHeartbeat
from sources.publishers import publisher_for_url


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


# --- Archiving health (for /healthz) ----------------------------------------------------------

# Error kinds that say our side broke (our code, our worker, our queue), not the source.
OUR_SIDE_KINDS = ("internal", "lost", "stuck")


def live_workers(*, now=None) -> list[dict]:
    """Workers whose heartbeat is younger than REEX_HEALTH_WORKER_MAX_AGE, newest first:
    `{"name", "pid", "beat_age_seconds", "queues"}`."""
    now = now or timezone.now()
    fresh_after = now - timedelta(seconds=settings.REEX_HEALTH_WORKER_MAX_AGE)
    return [
        {
            "name": name,
            "pid": pid,
            "beat_age_seconds": round((now - beat_at).total_seconds(), 1),
            "queues": queues,
        }
        for name, pid, beat_at, queues in WorkerHeartbeat.objects.filter(beat_at__gte=fresh_after)
        .order_by("-beat_at")
        .values_list("name", "pid", "beat_at", "queues")
    ]


def archive_queues() -> list[str]:
    """The queues archiving needs a live worker on: fetching (the default queue) and
    extraction (REEX_EXTRACT_QUEUE)."""
    return [settings.CELERY_TASK_DEFAULT_QUEUE, settings.REEX_EXTRACT_QUEUE]


def oldest_waiting_snapshot(*, now=None) -> dict:
    """The snapshots not yet archived or failed (`pending` or `fetching`): how many, and the age
    in seconds of the oldest (None when there is none)."""
    now = now or timezone.now()
    row = Snapshot.objects.filter(
        status__in=[Snapshot.Status.PENDING, Snapshot.Status.FETCHING]
    ).aggregate(count=Count("pk"), oldest=Min("created_at"))
    age = round((now - row["oldest"]).total_seconds(), 1) if row["oldest"] else None
    return {"count": row["count"], "oldest_age_seconds": age}


def recent_archive_outcomes(*, seconds: int, now=None) -> dict:
    """Archive attempts that ended within the last `seconds` (one per snapshot: its latest):
    how many, how many errored on our side (OUR_SIDE_KINDS: a crash, a lost worker, a snapshot
    the sweep gave up on), that share, and the count by error kind ("" = archived)."""
    now = now or timezone.now()
    ended = Snapshot.objects.filter(updated_at__gte=now - timedelta(seconds=seconds)).filter(
        Q(status__in=[Snapshot.Status.ARCHIVED, Snapshot.Status.FAILED])
        | Q(status=Snapshot.Status.PENDING, error_kind__gt="")
    )
    by_kind = {
        row["error_kind"]: row["n"]
        for row in ended.values("error_kind").annotate(n=Count("pk")).order_by("error_kind")
    }
    total = sum(by_kind.values())
    errored = sum(n for kind, n in by_kind.items() if kind in OUR_SIDE_KINDS)
    return {
        "window_seconds": seconds,
        "total": total,
        "errored": errored,
        "errored_share": round(errored / total, 3) if total else None,
        "by_kind": by_kind,
    }


def last_archived_before(snapshot: Snapshot) -> Snapshot | None:
    """The newest archived snapshot in `snapshot`'s chain of earlier ones (what drift is
    measured against)."""
    current = snapshot.previous
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        if current.status == Snapshot.Status.ARCHIVED:
            return current
        seen.add(current.pk)
        current = current.previous
    return None
