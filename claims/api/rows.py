"""The claim reads of the hot API paths (a claim's detail, a list page's rows) as plain rows:
the same SQL the ORM writes for the views' querysets (select_related article and stored
suggestion, the freshness checks of claims/materialised.py in the same statement, the evidence
with its snapshots), compiled ONCE per process and run with the request's ids
(plumbing.rows.Compiled), into light objects with the attributes the presenters,
`current_row` and `ClaimContext` read.

What this saves per request is the ORM's work, not the database's: compiling the statements
(the annotations, joins and deferred columns are resolved each time a queryset runs) and
building Claim, Article, ClaimSuggestion, Evidence and Snapshot instances. Nothing is cached
but the SQL text: every read runs against the database now, with its freshness checks.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import EmptyResultSet

from claims.materialised import LIST_DEFERRED, read_annotations
from claims.models import Claim, Evidence
from plumbing.rows import Compiled

MAX_ID = 2**63 - 1

_CLAIM = (
    "id", "article_id", "key", "text", "restatement", "kind", "figures", "origin_id", "status",
    "version", "created_at", "updated_at", "changed_at", "_inputs_now", "_state_now",
)  # fmt: skip
_ARTICLE = ("id", "key", "title", "url", "published_on", "updated_at")
_STORED = (
    "claim_id", "status", "reasons", "needed", "independent_groups", "origin", "origin_id",
    "min_sources", "inputs", "generation",
)  # fmt: skip
_STORED_DETAIL = ("evidence", "entities", "independent")
_EVIDENCE = (
    "id", "claim_id", "url", "stance", "excerpt", "publisher_id", "created_at", "updated_at",
    "snapshot_id",
)  # fmt: skip
_SNAPSHOT = ("status", "sha256", "archived_at", "title", "error", "updated_at")


class Row:
    """Attributes from a dict (`pk` is `id`)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.id


class Rows(list):
    """A prefetched relation: `claim.evidence.all()`."""

    def all(self) -> list:
        return self


def _claims_queryset(*, detail: bool):
    qs = (
        Claim.objects.select_related("article", "materialised")
        .defer("article__text")
        .annotate(**read_annotations())
        .order_by("id")
    )
    return qs if detail else qs.defer(*LIST_DEFERRED)


def _claim_names(*, detail: bool) -> list[str]:
    stored = _STORED + (_STORED_DETAIL if detail else ())
    return [
        *_CLAIM,
        *(f"article__{n}" for n in _ARTICLE),
        *(f"materialised__{n}" for n in stored),
    ]


@functools.cache
def _detail_sql() -> Compiled:
    return Compiled(
        _claims_queryset(detail=True).filter(pk=1), _claim_names(detail=True), sentinel=(1,)
    )


@functools.cache
def _evidence_sql() -> Compiled:
    names = [*_EVIDENCE, *(f"snapshot__{n}" for n in _SNAPSHOT)]
    return Compiled(Evidence.objects.filter(claim_id=1).order_by("id"), names, sentinel=(1,))


_ID_IN = f'"{Claim._meta.db_table}"."id" IN (%s)'


@functools.cache
def _page_sql() -> Compiled:
    """The page's rows `WHERE id IN (%s)`: the `%s` becomes the ids' subquery per request."""
    compiled = Compiled(
        _claims_queryset(detail=False).filter(pk__in=[1]), _claim_names(detail=False), (1,)
    )
    if compiled.sql.count(_ID_IN) != 1:
        raise RuntimeError(f"no single {_ID_IN} in {compiled.sql}")
    return compiled


def _claim(values: dict[str, Any], *, detail: bool) -> Row:
    claim = {n: values[n] for n in _CLAIM}
    claim["article"] = Row({n: values[f"article__{n}"] for n in _ARTICLE})
    stored_names = _STORED + (_STORED_DETAIL if detail else ())
    claim["materialised"] = (
        None
        if values["materialised__claim_id"] is None
        else Row({n: values[f"materialised__{n}"] for n in stored_names})
    )
    return Row(claim)


def _evidence(values: dict[str, Any]) -> Row:
    evidence = Row({n: values[n] for n in _EVIDENCE})
    evidence.snapshot = (
        None
        if values["snapshot_id"] is None
        else Row({"id": values["snapshot_id"], **{n: values[f"snapshot__{n}"] for n in _SNAPSHOT}})
    )
    return evidence


#: What a claim's validator reads (`claim_validator`): its stamps and what `current_row` checks.
_VALIDATOR = ("id", "origin_id", "changed_at", "_inputs_now", "_state_now")
_VALIDATOR_STORED = ("claim_id", "origin_id", "min_sources", "inputs", "generation")


@functools.cache
def _validator_sql() -> Compiled:
    names = [
        *_VALIDATOR,
        "article__updated_at",
        *(f"materialised__{n}" for n in _VALIDATOR_STORED),
    ]
    return Compiled(_claims_queryset(detail=False).filter(pk=1), names, sentinel=(1,))


def claim_validator(pk: int) -> Row | None:
    """What a conditional GET of the claim's detail needs and nothing more (no evidence, no
    stored JSON): its `changed_at`, its article's `updated_at` and whether its stored row is
    current (`current_row`). One statement; None when there is no such claim."""
    if not 1 <= pk <= MAX_ID:
        return None
    found = _validator_sql().run([pk])
    if not found:
        return None
    values = found[0]
    claim = Row({n: values[n] for n in _VALIDATOR})
    claim.article = Row({"updated_at": values["article__updated_at"]})
    claim.materialised = (
        None
        if values["materialised__claim_id"] is None
        else Row({n: values[f"materialised__{n}"] for n in _VALIDATOR_STORED})
    )
    return claim


def claim_detail(pk: int) -> Row | None:
    """The claim with its article, stored suggestion, freshness checks and evidence (with
    snapshots, in id order): two statements. None when there is no such claim."""
    if not 1 <= pk <= MAX_ID:
        return None
    found = _detail_sql().run([pk])
    if not found:
        return None
    claim = _claim(found[0], detail=True)
    claim.evidence = Rows(_evidence(v) for v in _evidence_sql().run([pk]))
    return claim


def claim_page(ids) -> list[Row]:
    """A list page's claims (no evidence, as a list shows them) in id order; `ids` is the
    page's ids as a sliced `values_list("pk")` queryset, read as a subquery of the same
    statement (OFFSET walks the primary key index only)."""
    try:
        sub_sql, sub_params = ids.query.sql_with_params()
    except EmptyResultSet:  # an empty page (no claims, or no claims match)
        return []
    compiled = _page_sql()
    sql = compiled.sql.replace(_ID_IN, _ID_IN.replace("%s", sub_sql))
    return [_claim(v, detail=False) for v in compiled.run(list(sub_params), sql=sql)]
