"""Materialised suggestions: each claim's suggested status, reasons, independent-group count and
the evidence facts the API shows, stored in `ClaimSuggestion` and recomputed in the same
transaction as every write that can change them, so an API read takes them from one row.

Writes (all call `suggestions_refresh` or `suggestions_refresh_under`, which lock the one
`SuggestionState` row first, so refreshes never interleave with each other):

* evidence created, edited, deleted, moved to a newer snapshot, its publisher classified or
  re-resolved after a domain edit → the claim's row;
* a snapshot created or saved, or its state changed by `sources.services` (reserved, archived,
  failed, pending again: `sources.signals.snapshot_state_written`, inside that transaction)
  → the rows of the claims citing it; again after `snapshot_archived`, once claims moved
  evidence onto the new copy;
* a claim saved (created, origin edited) → its row;
* an ownership edge or an entity saved or deleted → every claim whose origin or evidence
  publisher sits at or under the entity (one recursive query over the controlling edges:
  `claims_under`), plus claims with an unknown publisher (a domain may resolve it under);
* bulk paths (ownership imports: `sources.signals.register_changed`; `load_seeds`;
  `recompute_suggestions`) rebuild every row once at the end (`suggestions_rebuild`).

The receivers that call them on those writes are in claims/materialised_receivers.py.

A read uses a row only when it is provably current (`ClaimSuggestion`'s invariant): the row's
generation is the state's, the state's register version is the database's now (checked inside
the read's own query: `ownership.models.RegisterVersion`, which the database's triggers change), and the claim's evidence facts spelled now (`inputs_sql`, in the same
query) equal the row's. A write the paths above do not see (a queryset `update()` or raw SQL on
ownership, entities, evidence or snapshots) therefore never serves a stale value: the
read computes, as it did before. The next refresh that finds the graph changed behind its back
starts a new generation (every older row stops being used) and logs that
`recompute_suggestions` should run.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from claims.api.presenters import ClaimContext, assessment_data
from claims.models import Claim, ClaimSuggestion, Evidence, SuggestionState
from claims.selectors import evidence_facts_from_rows
from claims.suggestion import EvidenceAssessment, Suggestion, min_sources, suggest
from ownership.chains import CONTROLLING_SQL, ControlGraph, current_graph
from ownership.models import Ownership, RegisterVersion
from sources.models import Snapshot

log = logging.getLogger(__name__)

BATCH = 2000
_FIELDS = [
    "status",
    "reasons",
    "needed",
    "independent_groups",
    "evidence",
    "origin",
    "entities",
    "independent",
    "origin_id",
    "min_sources",
    "inputs",
    "graph_version",
    "generation",
    "computed_at",
]


# --- the inputs of one claim, spelled (Python at write time, SQL at read time) -------------------
def spell_inputs(rows: Iterable[tuple]) -> str:
    """The evidence facts the rule reads, as text: rows (id, claim_id, stance, publisher_id,
    url, snapshot status, snapshot error) in id order. `inputs_sql` spells the same text."""
    parts = []
    for eid, _cid, stance, pub, url, status, error in rows:
        error = error or ""
        parts.append(
            f"{eid},{stance},{'-' if pub is None else pub},{status or '-'},"
            f"{f'{len(error)}:{error}' if status == 'failed' else ''},"
            f"{url if pub is None else ''}"
        )
    return ";".join(parts)


def inputs_sql(claim_ref: str) -> str:
    """SQL for `spell_inputs` of the claim whose id is `claim_ref` (a column reference)."""
    e, s = Evidence._meta.db_table, Snapshot._meta.db_table
    if connection.vendor == "postgresql":
        item = (
            "e.id::text || ',' || e.stance || ',' || coalesce(e.publisher_id::text, '-') || ',' "
            "|| coalesce(s.status, '-') || ',' || (CASE WHEN s.status = 'failed' THEN "
            "length(coalesce(s.error, ''))::text || ':' || coalesce(s.error, '') ELSE '' END) "
            "|| ',' || (CASE WHEN e.publisher_id IS NULL THEN e.url ELSE '' END)"
        )
        return (
            f"coalesce((SELECT string_agg({item}, ';' ORDER BY e.id) FROM {e} e "  # noqa: S608
            f"LEFT JOIN {s} s ON s.id = e.snapshot_id WHERE e.claim_id = {claim_ref}), '')"
        )
    item = (
        "CAST(e.id AS TEXT) || ',' || e.stance || ',' || coalesce(CAST(e.publisher_id AS TEXT), "
        "'-') || ',' || coalesce(s.status, '-') || ',' || (CASE WHEN s.status = 'failed' THEN "
        "length(coalesce(s.error, '')) || ':' || coalesce(s.error, '') ELSE '' END) || ',' || "
        "(CASE WHEN e.publisher_id IS NULL THEN e.url ELSE '' END)"
    )
    return (
        f"coalesce((SELECT group_concat(x, ';') FROM (SELECT {item} AS x FROM {e} e "  # noqa: S608
        f"LEFT JOIN {s} s ON s.id = e.snapshot_id WHERE e.claim_id = {claim_ref} "
        "ORDER BY e.id)), '')"
    )


def _state_check_sql() -> str:
    """The current generation when the state's register version is the database's now, else
    NULL: two primary-key reads, whatever the register's size."""
    st, rv = SuggestionState._meta.db_table, RegisterVersion._meta.db_table
    return (
        f"(SELECT st.generation FROM {st} st JOIN {rv} rv ON rv.version = st.graph_version "  # noqa: S608
        "WHERE st.id = 1 AND rv.id = 1)"
    )


#: Columns a list page (no evidence shown) does not read.
LIST_DEFERRED = ("materialised__evidence", "materialised__entities", "materialised__independent")


def read_annotations() -> dict[str, RawSQL]:
    """Annotations a claims queryset needs to tell whether each claim's stored row is
    current (`current_row`): evaluated inside the query that reads the claims. Only our own
    table names and constants go into the SQL."""
    table = Claim._meta.db_table
    return {
        "_inputs_now": RawSQL(inputs_sql(f'"{table}"."id"'), []),  # noqa: S611
        "_state_now": RawSQL(_state_check_sql(), []),  # noqa: S611
    }


def current_row(claim: Claim) -> ClaimSuggestion | None:
    """The claim's stored row when it is current (read with `read_annotations()` and
    `select_related("materialised")`, or as claims/api/rows.py reads it: None when there is no
    row), else None (the caller computes)."""
    try:
        row = claim.materialised
    except ClaimSuggestion.DoesNotExist:
        return None
    if row is None:
        return None
    if (
        row.generation != getattr(claim, "_state_now", None)
        or row.inputs != getattr(claim, "_inputs_now", None)
        or row.origin_id != claim.origin_id
        or row.min_sources != min_sources()
    ):
        return None
    return row


# --- the stored rows as the presenters read them ------------------------------------------------
_REF_KEYS = ("id", "name", "kind", "country")
_ENTITY_KEYS = (*_REF_KEYS, "state_controlled", "controllers", "chain", "notes")


def _in_declared_order(entity: dict[str, Any]) -> dict[str, Any]:
    """A stored entity with its keys in the order `ClaimContext.entity` writes them: jsonb keeps
    keys in its own order, and the stored and computed reads must render the same bytes (and
    so the same ETag)."""
    out = {k: entity[k] for k in _ENTITY_KEYS if k in entity}
    if "controllers" in out:
        out["controllers"] = [{k: c[k] for k in _REF_KEYS if k in c} for c in out["controllers"]]
    if "chain" in out:
        out["chain"] = [[{"id": n["id"], "name": n["name"]} for n in ch] for ch in out["chain"]]
    return out


@dataclass
class StoredContext:
    """What claims.api.presenters needs of a `ClaimContext`, from stored rows: no query."""

    suggestions: dict[int, Suggestion]
    publishers: dict[int, int | None]
    entities: dict[str, dict[str, Any]]
    independents: dict[str, bool]

    @classmethod
    def build(cls, rows: Iterable[ClaimSuggestion], *, deferred: bool = False) -> StoredContext:
        """`deferred`: the rows were read without the evidence columns (list pages, which
        show no evidence): only the suggestion and the origin are taken."""
        ctx = cls(suggestions={}, publishers={}, entities={}, independents={})
        for row in rows:
            assessments = {}
            for key, item in ({} if deferred else row.evidence).items():
                eid = int(key)
                ctx.publishers[eid] = item["publisher"]
                found = item["assessment"]
                if found is not None:
                    assessments[eid] = EvidenceAssessment(eid, **found)
            ctx.suggestions[row.claim_id] = Suggestion(
                status=row.status or None,
                reasons=row.reasons,
                needed=row.needed,
                assessments=assessments,
                independent_groups=row.independent_groups,
            )
            ctx.entities[str(row.origin_id)] = row.origin
            if not deferred:
                ctx.entities.update(row.entities)
                ctx.independents.update(row.independent)
        return ctx

    def entity(self, entity_id: int) -> dict[str, Any]:
        return _in_declared_order(self.entities[str(entity_id)])

    def independent(self, *, origin_id: int, publisher_id: int | None) -> bool | None:
        if publisher_id is None:
            return None
        return self.independents[f"{origin_id}:{publisher_id}"]


# --- computing and writing ------------------------------------------------------------------------
def _rows_for(claims: list[tuple[int, int]], *, graph: ControlGraph, generation: int) -> list:
    """(claim id, origin id) pairs → unsaved ClaimSuggestion rows: one evidence query, plus one
    when a publisher is unknown."""
    ids = [cid for cid, _ in claims]
    raw = list(
        Evidence.objects.filter(claim_id__in=ids)
        .order_by("id")
        .values_list(
            "id", "claim_id", "stance", "publisher_id", "url", "snapshot__status", "snapshot__error"
        )
    )
    by_claim: dict[int, list[tuple]] = {cid: [] for cid in ids}
    for r in raw:
        by_claim[r[1]].append(r)
    facts = evidence_facts_from_rows(claim_ids=ids, rows=raw, graph=graph)
    shower = ClaimContext(graph=graph)
    n = min_sources()
    now = timezone.now()
    out = []
    for cid, origin_id in claims:
        s = suggest(origin_id=origin_id, evidence=facts[cid], graph=graph, min_sources=n)
        evidence, entities, independent = {}, {}, {}
        for f in facts[cid]:
            found = s.assessments.get(f.id)
            evidence[str(f.id)] = {
                "publisher": f.publisher_id,
                "assessment": assessment_data(found),
            }
            if f.publisher_id is not None:
                entities[str(f.publisher_id)] = shower.entity(f.publisher_id)
                independent[f"{origin_id}:{f.publisher_id}"] = graph.independent(
                    origin_id, f.publisher_id
                )
        out.append(
            ClaimSuggestion(
                claim_id=cid,
                status=s.status or "",
                reasons=list(s.reasons),
                needed=s.needed,
                independent_groups=s.independent_groups,
                evidence=evidence,
                origin=shower.entity(origin_id),
                entities=entities,
                independent=independent,
                origin_id=origin_id,
                min_sources=n,
                inputs=spell_inputs(by_claim[cid]),
                graph_version=graph.version,
                generation=generation,
                computed_at=now,
            )
        )
    return out


def _lock_state() -> SuggestionState:
    state = SuggestionState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        SuggestionState.objects.get_or_create(pk=1)
        state = SuggestionState.objects.select_for_update().get(pk=1)
    return state


#: What the API shows of a stored row: a rewrite that changes one of these is a change of the
#: claim (`Claim.changed_at`).
_SHOWN = ("status", "reasons", "needed", "independent_groups", "evidence", "origin", "entities",
          "independent")  # fmt: skip


def _write(
    claim_ids: Iterable[int], *, state: SuggestionState, graph: ControlGraph, touch: str
) -> int:
    """Recompute and upsert the rows of `claim_ids`; then touch the claims' `changed_at`:
    every one (`touch="all"`: something of theirs changed), those whose row shows something
    new (`"shown"`: the register changed under them, or a rebuild), or none (`"none"`). Runs
    under the state lock, so claim rows are always locked after it (see `on_claim_pre_save`)."""
    ids = sorted(set(claim_ids))
    n = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        claims = list(Claim.objects.filter(pk__in=chunk).values_list("id", "origin_id"))
        rows = _rows_for(claims, graph=graph, generation=state.generation)
        if touch == "shown":
            before = {
                r[0]: r[1:]
                for r in ClaimSuggestion.objects.filter(claim_id__in=chunk).values_list(
                    "claim_id", *_SHOWN
                )
            }
            touched = [
                r.claim_id
                for r in rows
                if before.get(r.claim_id) != tuple(getattr(r, f) for f in _SHOWN)
            ]
        else:
            touched = [r.claim_id for r in rows] if touch == "all" else []
        ClaimSuggestion.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["claim"], update_fields=_FIELDS
        )
        if touched:
            claims_touch(touched)
        n += len(rows)
    return n


def claims_touch(claim_ids: Iterable[int]) -> int:
    """Mark these claims changed now (the database's clock), in the caller's transaction."""
    ids = sorted(set(claim_ids))
    n = 0
    for start in range(0, len(ids), BATCH):
        n += Claim.objects.filter(pk__in=ids[start : start + BATCH]).touch(row=False)
    return n


_deferred = threading.local()


@contextlib.contextmanager
def suggestions_deferred() -> Iterator[None]:
    """Inside: refreshes are only noted; one `suggestions_rebuild()` runs at the end (inside
    the caller's transaction when there is one). For bulk writes (`load_seeds`)."""
    if getattr(_deferred, "depth", 0):
        _deferred.depth += 1
        try:
            yield
        finally:
            _deferred.depth -= 1
        return
    _deferred.depth, _deferred.dirty, _deferred.touched = 1, False, set()
    try:
        yield
        dirty, touched = _deferred.dirty, _deferred.touched
    finally:
        _deferred.depth, _deferred.dirty, _deferred.touched = 0, False, set()
    if dirty:
        suggestions_rebuild(touched=touched)


def _is_deferred(claim_ids: Iterable[int] = ()) -> bool:
    if getattr(_deferred, "depth", 0):
        _deferred.dirty = True
        _deferred.touched.update(claim_ids)
        return True
    return False


def suggestions_refresh(claim_ids: Iterable[int], *, touch: bool = True) -> int:
    """Recompute and store the rows of these claims, in the caller's transaction (or one of
    its own), and mark the claims changed (`touch`: something of theirs changed, which is why
    they are refreshed). Returns how many rows were written."""
    claim_ids = [i for i in claim_ids if i is not None]
    if not claim_ids or _is_deferred(claim_ids if touch else ()):
        return 0
    with transaction.atomic():
        state = _lock_state()
        graph = current_graph()
        if state.graph_version is None or state.graph_version != graph.version:
            _new_generation(state, graph, why="the control graph changed without a refresh")
        return _write(claim_ids, state=state, graph=graph, touch="all" if touch else "none")


def _new_generation(state: SuggestionState, graph: ControlGraph, *, why: str) -> None:
    if state.graph_version is not None:
        log.warning(
            "stored suggestions: %s (a queryset update() or raw SQL); stored rows are not used "
            "until `manage.py recompute_suggestions` rebuilds them",
            why,
        )
    state.generation += 1
    state.graph_version = graph.version
    state.save(update_fields=["generation", "graph_version"])


def claims_under(entity_ids: Iterable[int]) -> set[int]:
    """Ids of the claims whose origin or an evidence publisher is one of `entity_ids` or is
    controlled (at any depth, through controlling edges) by one, and of claims with evidence
    whose publisher is unknown (a domain may resolve it under them). One query."""
    entity_ids = sorted({int(i) for i in entity_ids if i is not None})
    if not entity_ids:
        return set()
    o, c, e = Ownership._meta.db_table, Claim._meta.db_table, Evidence._meta.db_table
    seeds = " UNION ".join(["SELECT CAST(%s AS BIGINT)"] * len(entity_ids))
    sql = (
        f"WITH RECURSIVE under(id) AS ({seeds} UNION "  # noqa: S608
        f"SELECT o.owned_id FROM {o} o JOIN under u ON o.owner_id = u.id "
        f"WHERE o.{CONTROLLING_SQL.replace(' OR ', ' OR o.')}) "
        f"SELECT c.id FROM {c} c WHERE c.origin_id IN (SELECT id FROM under) "
        f"UNION SELECT ev.claim_id FROM {e} ev WHERE ev.publisher_id IN (SELECT id FROM under) "
        "OR ev.publisher_id IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, entity_ids)
        return {row[0] for row in cursor.fetchall()}


def suggestions_refresh_under(entity_ids: Iterable[int], *, graph_before: int | None) -> int:
    """After an edit of ownership edges or entities (`entity_ids`: the owned side of each edge,
    or the entity itself): recompute every claim `claims_under` them. `graph_before`: the
    register version just before the edit; when the stored state was not that version, the
    register had also changed behind the write paths' back and a new generation starts."""
    if _is_deferred():
        return 0
    with transaction.atomic():
        state = _lock_state()
        graph = current_graph()
        if state.graph_version is None or state.graph_version != graph_before:
            _new_generation(state, graph, why="the control graph changed without a refresh")
        elif state.graph_version != graph.version:
            state.graph_version = graph.version
            state.save(update_fields=["graph_version"])
        return _write(claims_under(entity_ids), state=state, graph=graph, touch="shown")


def suggestions_rebuild(*, touched: Iterable[int] = ()) -> int:
    """Recompute every claim's row in a new generation (bulk writes, `recompute_suggestions`);
    the claims whose row shows something new are marked changed, and so are `touched`."""
    with transaction.atomic():
        state = _lock_state()
        graph = current_graph()
        state.generation += 1
        state.graph_version = graph.version
        state.save(update_fields=["generation", "graph_version"])
        n = _write(
            Claim.objects.values_list("id", flat=True), state=state, graph=graph, touch="shown"
        )
        claims_touch(touched)
        ClaimSuggestion.objects.exclude(generation=state.generation).delete()
        return n


def suggestions_differences() -> list[str]:
    """Every claim whose stored row is missing, not current or differs from a fresh computation,
    in words (`recompute_suggestions --check`). Reads only."""
    graph = current_graph()
    state = SuggestionState.objects.filter(pk=1).first()
    out = []
    if state is None or state.graph_version is None or state.graph_version != graph.version:
        out.append("the stored register version is not the database's: rows are not used")
    generation = state.generation if state else 0
    ids = list(Claim.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        claims = list(Claim.objects.filter(pk__in=chunk).values_list("id", "origin_id"))
        fresh = {r.claim_id: r for r in _rows_for(claims, graph=graph, generation=generation)}
        stored = ClaimSuggestion.objects.in_bulk(chunk)
        for cid in chunk:
            row, want = stored.get(cid), fresh[cid]
            if row is None:
                out.append(f"claim {cid}: no stored suggestion")
                continue
            fields = [
                f
                for f in _FIELDS
                if f not in ("computed_at", "graph_version") and getattr(row, f) != getattr(want, f)
            ]
            if fields:
                out.append(
                    f"claim {cid}: stored {', '.join(fields)} differ from a fresh computation"
                )
    return out
