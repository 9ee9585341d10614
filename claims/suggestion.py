"""The suggestion rule (DESIGN.md "The suggestion rule"), as one pure function, and the check
that a reviewer's verdict agrees with it.

`suggest()` takes the claim's origin, facts about its evidence and the control graph, and
returns the suggested status with its reasons in words. It reads nothing from the database;
`claims.selectors.suggest_for_claim()` and `suggest_for_claims()` load what it needs in a
constant number of queries. docs/verdicts.md explains the rule for editors.

With G0 = the ultimate controllers of the origin, and counting only evidence whose snapshot
is archived and whose publisher is known:

1. `disputed` when a `refutes` source independent of G0 exists (it wins over everything);
2. `independently_verified` when `supports` sources fall into at least N groups of ultimate
   controllers disjoint from G0 and from each other (N = `REEX_MIN_INDEPENDENT_SOURCES`):
   the number of groups is the largest number of pairwise-disjoint controller sets among the
   counting supports (`_independent_groups`); outlets with the same controllers count once,
   and a jointly controlled outlet never lowers the count of the groups it overlaps;
3. `state_sourced` when the origin is state-controlled, at least one `supports` or `echoes`
   source counts, and no `supports` source is independent of G0 (echoes never count as
   independent, wherever they are published);
4. otherwise no suggestion (None): the claim still needs sources, and `needed` says how many.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models

from sources.chains import ControlGraph
from sources.publishers import host_info

# Verdicts the rule itself produces, and the one it allows only while it has nothing to say.
RULE_STATUSES = frozenset({"state_sourced", "independently_verified", "disputed"})
UNVERIFIABLE = "unverifiable"

STATUS_WORDS = {
    "state_sourced": "state-sourced",
    "independently_verified": "independently verified",
    "disputed": "disputed",
    "unverifiable": "unverifiable",
    "unreviewed": "unreviewed",
    "in_review": "in review",
    None: "no suggestion yet: needs sources",
}

ARCHIVED = "archived"


class Badge(models.TextChoices):
    """How one piece of evidence weighed in the suggestion, as the claim page labels it."""

    INDEPENDENT = "independent", "Independent"
    SAME_GROUP = "same_group", "Same group as the origin"
    UNKNOWN = "unknown", "Unknown publisher"
    NOT_ARCHIVED = "not_archived", "Not archived yet"
    ECHO = "echo", "Echoes the claimant"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


@dataclass(frozen=True)
class EvidenceFacts:
    """What the rule needs to know about one piece of evidence (no ORM objects).

    `publisher_id` None means an unknown publisher. `url` is used only to name the domain of an
    unknown publisher in the reasons.
    """

    id: int
    stance: str  # supports | echoes | refutes | context
    publisher_id: int | None
    publisher_name: str
    snapshot_status: str  # pending | fetching | archived | failed | "" (no snapshot)
    url: str = ""
    snapshot_error: str = ""


@dataclass(frozen=True)
class EvidenceAssessment:
    """How one piece of evidence weighed in the suggestion.

    `counts`: it counted toward the suggestion: the first outlet of an independent group, an
    independent refutation, or (when the origin is state-controlled) a same-group or echoing
    source, which is what makes a claim state-sourced.
    `badge`: "independent" | "same_group" | "unknown" | "not_archived" | "echo" | "refutes" |
    "context". `group_label`: the names of its publisher's ultimate controllers ("" when
    unknown). `why`: one sentence a reviewer can check.
    """

    evidence_id: int
    counts: bool
    badge: str
    group_label: str
    why: str


@dataclass
class Suggestion:
    """The suggested status (None: no suggestion, the claim needs sources), its reasons in
    words, how many more independent supporting groups are needed for independent
    verification (0 once reached), an assessment per evidence id, and how many independent
    groups the supporting sources form (what the queue shows: one number for the desk and
    the rule)."""

    status: str | None
    reasons: list[str]
    needed: int
    assessments: dict[int, EvidenceAssessment] = field(default_factory=dict)
    independent_groups: int = 0

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, str(self.status))


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _and(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class _Group:
    """One counted independent group: its ultimate controllers and its outlets (id order; the
    first is the one counted, the others are "same owner as" it)."""

    controllers: frozenset[int]
    members: tuple[EvidenceFacts, ...]


# Exact search up to this many distinct controller sets; a greedy packing beyond (see below).
EXACT_PACKING_LIMIT = 24


def _independent_groups(candidates: list[tuple[EvidenceFacts, frozenset[int]]]) -> list[_Group]:
    """The counted groups among supporting sources independent of the origin: a MAXIMUM
    number of pairwise-disjoint controller sets (a maximum set packing).

    Sources with identical controller sets are one group (the same owner, counted once). A
    joint venture controlled by X and Y overlaps both an X outlet and a Y outlet; merging
    overlapping sources into one group would let that third source turn two independent
    groups into one, so the groups are chosen instead: the largest family of distinct
    controller sets no two of which share a controller. Sources outside the chosen family
    each share a controller with a chosen group (the family is maximal).

    Deterministic: distinct sets are ordered by their first evidence id, and among maximum
    packings the first one in that order is chosen (include-before-exclude search that only
    replaces the best on a strictly larger packing). Exact branch and bound over bitmasks up
    to EXACT_PACKING_LIMIT distinct sets (a claim has a handful); beyond that a greedy packing
    (fewest controllers first) — a lower bound that may count fewer groups than exist, never
    more, and is then not guaranteed to grow when a source is added.
    """
    by_set: dict[frozenset[int], list[EvidenceFacts]] = {}
    for e, controllers in sorted(candidates, key=lambda c: c[0].id):
        by_set.setdefault(controllers, []).append(e)
    sets = list(by_set)  # insertion order = first evidence id
    n = len(sets)
    conflict = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            if not sets[i].isdisjoint(sets[j]):
                conflict[i] |= 1 << j
                conflict[j] |= 1 << i
    if n <= EXACT_PACKING_LIMIT:
        best = [0, 0]  # [size, chosen mask]

        def search(chosen: int, size: int, open_: int) -> None:
            if size + open_.bit_count() <= best[0]:
                return
            if not open_:
                best[0], best[1] = size, chosen
                return
            v = (open_ & -open_).bit_length() - 1  # the earliest set still open
            bit = 1 << v
            search(chosen | bit, size + 1, open_ & ~bit & ~conflict[v])
            if conflict[v] & open_:  # an isolated set is in every maximum packing
                search(chosen, size, open_ & ~bit)

        search(0, 0, (1 << n) - 1)
        picked = [i for i in range(n) if best[1] >> i & 1]
    else:
        picked, used = [], 0
        for i in sorted(range(n), key=lambda i: (len(sets[i]), i)):
            if not conflict[i] & used:
                picked.append(i)
                used |= 1 << i
        picked.sort()
    return [_Group(controllers=sets[i], members=tuple(by_set[sets[i]])) for i in picked]


def publisher_domain(url: str) -> str:
    """How an unknown publisher is named (in the reasons, and when an editor is asked to
    classify it): the URL's registrable domain, or its host when it has none (an IP)."""
    info = host_info(url)
    return info.registrable or info.host or url


def suggest(
    *,
    origin_id: int,
    evidence: Iterable[EvidenceFacts],
    graph: ControlGraph,
    min_sources: int,
) -> Suggestion:
    """The suggestion rule as a pure function (no database access). See the module docstring.

    Evidence is considered in id order, so the first outlet of a group is the one counted and
    later outlets with the same controllers are "same owner as" it; see `_independent_groups`
    for which groups count when controller sets overlap.
    """
    evidence = sorted(evidence, key=lambda e: e.id)
    origin = graph.resolve(origin_id)
    g0 = origin.controllers
    g0_label = graph.group_label(g0)
    assessments: dict[int, EvidenceAssessment] = {}

    def label(e: EvidenceFacts) -> str:
        return e.publisher_name or graph.name(e.publisher_id)

    def with_group(e: EvidenceFacts, controllers: frozenset[int]) -> str:
        if controllers == frozenset({e.publisher_id}):
            return f"{label(e)} (no controlling owner on record)"
        return f"{label(e)} ({graph.group_label(controllers)})"

    # Independent supports are collected here and grouped after the loop (see `_pack`).
    candidates: list[tuple[EvidenceFacts, frozenset[int]]] = []
    same_group: list[EvidenceFacts] = []
    echoes: list[EvidenceFacts] = []
    independent_refutes: list[EvidenceFacts] = []
    not_counted: list[tuple[EvidenceFacts, str]] = []

    for e in evidence:
        if e.stance == "context":
            assessments[e.id] = EvidenceAssessment(
                e.id, False, "context", "", "Context only: context never counts toward a verdict."
            )
            continue
        if e.snapshot_status != ARCHIVED:
            if e.snapshot_status == "failed":
                error = e.snapshot_error.strip().rstrip(".")
                why = "snapshot failed" + (f" ({error})" if error else "")
                why += ": archive it again or replace the URL"
            elif e.snapshot_status in ("pending", "fetching"):
                why = "not archived yet"
            else:
                why = "no archived copy"
            name = label(e) if e.publisher_id is not None else publisher_domain(e.url)
            assessments[e.id] = EvidenceAssessment(
                e.id, False, "not_archived", "", why[0].upper() + why[1:] + "."
            )
            not_counted.append((e, f"{name}: {why}"))
            continue
        if e.publisher_id is None:
            domain = publisher_domain(e.url)
            why = f"unknown publisher {domain} (an editor must classify the domain)"
            assessments[e.id] = EvidenceAssessment(
                e.id, False, "unknown", "", why[0].upper() + why[1:] + "."
            )
            not_counted.append((e, why))
            continue
        controllers = graph.resolve(e.publisher_id).controllers
        glabel = graph.group_label(controllers)
        independent_of_origin = controllers.isdisjoint(g0)
        if e.stance == "echoes":
            echoes.append(e)
            assessments[e.id] = EvidenceAssessment(
                e.id,
                origin.state_controlled,
                "echo",
                glabel,
                "Echoes the claimant: never independent; it shows only that the claim was published.",
            )
            continue
        if e.stance == "refutes":
            if independent_of_origin:
                independent_refutes.append(e)
                assessments[e.id] = EvidenceAssessment(
                    e.id, True, "refutes", glabel, f"Refutes the claim, independent of {g0_label}."
                )
            else:
                assessments[e.id] = EvidenceAssessment(
                    e.id,
                    False,
                    "refutes",
                    glabel,
                    f"Refutes the claim but shares the origin's controllers ({g0_label}): not independent.",
                )
                not_counted.append(
                    (e, f"{with_group(e, controllers)}: refutes, but same group as the origin")
                )
            continue
        # supports
        if not independent_of_origin:
            same_group.append(e)
            assessments[e.id] = EvidenceAssessment(
                e.id,
                origin.state_controlled,
                "same_group",
                glabel,
                f"Same group as the origin ({g0_label}): not independent.",
            )
            continue
        candidates.append((e, controllers))

    groups = _independent_groups(candidates)
    for g in groups:
        first = g.members[0]
        assessments[first.id] = EvidenceAssessment(
            first.id,
            True,
            "independent",
            graph.group_label(g.controllers),
            f"Independent of {g0_label}: counts as one group.",
        )
        for m in g.members[1:]:
            assessments[m.id] = EvidenceAssessment(
                m.id,
                False,
                "same_group",
                graph.group_label(g.controllers),
                f"Same owner as {label(first)} ({graph.group_label(g.controllers)}): counted once.",
            )
            not_counted.append((m, f"{label(m)}: same owner as {label(first)}, counted once"))
    for e, controllers in candidates:
        if e.id in assessments:
            continue
        # Not in the chosen packing: it overlaps at least one counted group (a maximum
        # packing is maximal), in the counted groups' order.
        shared = [g for g in groups if not g.controllers.isdisjoint(controllers)]
        names = _and([label(g.members[0]) for g in shared])
        if len(shared) > 1:
            why = f"shares controllers with {names} (joint control), counted within their groups"
        else:
            why = (
                f"shares a controller with {names} ({graph.group_label(shared[0].controllers)}),"
                " counted within its group"
            )
        assessments[e.id] = EvidenceAssessment(
            e.id,
            False,
            "same_group",
            graph.group_label(controllers),
            why[0].upper() + why[1:] + ".",
        )
        not_counted.append((e, f"{label(e)}: {why}"))
    # "Did not count" lines in evidence id order, whatever step produced them.
    not_counted.sort(key=lambda item: item[0].id)

    n_groups = len(groups)
    needed = max(0, min_sources - n_groups)

    if independent_refutes:
        status: str | None = "disputed"
    elif n_groups >= min_sources:
        status = "independently_verified"
    elif origin.state_controlled and (same_group or echoes) and n_groups == 0:
        status = "state_sourced"
    else:
        status = None

    reasons: list[str] = []
    controlled_by = (
        "no controlling owner on record"
        if g0 == frozenset({origin_id})
        else f"controlled by {g0_label}"
    )
    reasons.append(
        f"Origin: {graph.name(origin_id)}, {controlled_by}"
        + (" (state-controlled)." if origin.state_controlled else " (not state-controlled).")
    )
    if independent_refutes:
        reasons.append(
            f"Refuted by {_plural(len(independent_refutes), 'independent source')}: "
            + ", ".join(
                with_group(e, graph.resolve(e.publisher_id).controllers)
                for e in independent_refutes
            )
        )
    if groups:
        parts = []
        for g in groups:
            if len(g.members) == 1:
                parts.append(with_group(g.members[0], g.controllers))
            else:
                names = " and ".join(label(m) for m in g.members)
                parts.append(f"{names} ({graph.group_label(g.controllers)})")
        reasons.append(f"{_plural(n_groups, 'independent group')}: " + ", ".join(parts))
    else:
        reasons.append("0 independent groups.")
    if same_group:
        reasons.append(
            f"{_plural(len(same_group), 'same-group source')}: "
            + ", ".join(
                with_group(e, graph.resolve(e.publisher_id).controllers) for e in same_group
            )
        )
    if echoes:
        reasons.append(
            f"{_plural(len(echoes), 'source')} echoing the claimant (never independent): "
            + ", ".join(with_group(e, graph.resolve(e.publisher_id).controllers) for e in echoes)
        )
    for _e, why in not_counted:
        reasons.append(f"Did not count: {why}.")
    if status in (None, "state_sourced") and needed:
        outside = [g0_label + " (the origin's group)"]
        if groups:
            outside.append(
                " and ".join(graph.group_label(g.controllers) for g in groups)
                + " (already counted)"
            )
        reasons.append(
            f"Needs {needed} more independent supporting {'source' if needed == 1 else 'sources'} "
            f"from publishers outside {' and '.join(outside)}."
        )
    if status is None and not evidence:
        reasons.append("No evidence attached yet.")
    reasons.append(f"Suggestion: {STATUS_WORDS[status]}.")
    return Suggestion(
        status=status,
        reasons=reasons,
        needed=needed,
        assessments=assessments,
        independent_groups=n_groups,
    )


def decision_refusal(*, status: str, suggestion: Suggestion | None) -> str | None:
    """Why a reviewer may not set `status` given `suggestion` (None: allowed).

    * `state_sourced`, `independently_verified`, `disputed` must equal the suggestion;
    * `unverifiable` is allowed only while the rule has no suggestion (the claim needs sources
      nobody can find); once the evidence gives a suggestion it is refused;
    * `unreviewed` / `in_review` are workflow moves, never refused here.
    An editor's override (`claim_set_status(override=True)`) skips this check and is marked in
    the audit trail.
    """
    if suggestion is None or status not in RULE_STATUSES | {UNVERIFIABLE}:
        return None
    wanted = STATUS_WORDS.get(status, status)
    if status == UNVERIFIABLE:
        if suggestion.status is None:
            return None
        return (
            f"Refused: the evidence already gives a suggestion ({suggestion.status_words}), so the "
            f"claim is not {wanted}. " + " ".join(suggestion.reasons)
        )
    if suggestion.status == status:
        return None
    return (
        f"Refused: the evidence does not support “{wanted}”; the rule says "
        f"{suggestion.status_words}. " + " ".join(suggestion.reasons)
    )


def min_sources() -> int:
    return int(settings.REEX_MIN_INDEPENDENT_SOURCES)
