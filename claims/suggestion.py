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

from claims.models import Claim, Evidence
from ownership.chains import ControlGraph, Resolution
from ownership.publishers import host_info
from sources.models import Snapshot

Status = Claim.Status
Stance = Evidence.Stance

# Verdicts the rule itself produces, and the one it allows only while it has nothing to say.
RULE_STATUSES = frozenset({Status.STATE_SOURCED, Status.INDEPENDENTLY_VERIFIED, Status.DISPUTED})

STATUS_WORDS: dict[str | None, str] = {
    Status.STATE_SOURCED: "state-sourced",
    Status.INDEPENDENTLY_VERIFIED: "independently verified",
    Status.DISPUTED: "disputed",
    Status.UNVERIFIABLE: "unverifiable",
    Status.UNREVIEWED: "unreviewed",
    Status.IN_REVIEW: "in review",
    None: "no suggestion yet: needs sources",
}


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
    stance: str  # Evidence.Stance
    publisher_id: int | None
    publisher_name: str
    snapshot_status: str  # Snapshot.Status, or "" (no snapshot)
    url: str = ""
    snapshot_error: str = ""


@dataclass(frozen=True)
class EvidenceAssessment:
    """How one piece of evidence weighed in the suggestion.

    `counts`: it counted toward the suggestion: the first outlet of an independent group, an
    independent refutation, or (when the origin is state-controlled) a same-group or echoing
    source, which is what makes a claim state-sourced.
    `badge`: a `Badge`. `group_label`: the names of its publisher's ultimate controllers ("" when
    unknown). `why`: one sentence a reviewer can check.
    """

    evidence_id: int
    counts: bool
    badge: Badge
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


def _sentence(why: str) -> str:
    return why[0].upper() + why[1:] + "."


@dataclass(frozen=True)
class _Names:
    """How the reasons name publishers and their groups."""

    graph: ControlGraph

    def of(self, e: EvidenceFacts) -> str:
        return e.publisher_name or self.graph.name(e.publisher_id)

    def with_group(self, e: EvidenceFacts, controllers: frozenset[int] | None = None) -> str:
        if controllers is None:
            controllers = self.graph.resolve(e.publisher_id).controllers
        if controllers == frozenset({e.publisher_id}):
            return f"{self.of(e)} (no controlling owner on record)"
        return f"{self.of(e)} ({self.graph.group_label(controllers)})"


@dataclass
class _Sorted:
    """The evidence as the rule sorts it (`_classify`), before independent supports are
    grouped (`_group`)."""

    independent_supports: list[tuple[EvidenceFacts, frozenset[int]]] = field(default_factory=list)
    same_group: list[EvidenceFacts] = field(default_factory=list)
    echoes: list[EvidenceFacts] = field(default_factory=list)
    independent_refutes: list[EvidenceFacts] = field(default_factory=list)
    # (evidence, why) for the "Did not count" lines.
    not_counted: list[tuple[EvidenceFacts, str]] = field(default_factory=list)
    assessments: dict[int, EvidenceAssessment] = field(default_factory=dict)

    def assess(
        self, e: EvidenceFacts, counts: bool, badge: Badge, group_label: str, why: str
    ) -> None:
        self.assessments[e.id] = EvidenceAssessment(e.id, counts, badge, group_label, why)


def _not_archived_why(e: EvidenceFacts) -> str:
    if e.snapshot_status == Snapshot.Status.FAILED:
        error = e.snapshot_error.strip().rstrip(".")
        return (
            "snapshot failed" + (f" ({error})" if error else "") + ": archive it again or replace"
            " the URL"
        )
    if e.snapshot_status in (Snapshot.Status.PENDING, Snapshot.Status.FETCHING):
        return "not archived yet"
    return "no archived copy"


def _classify(
    evidence: list[EvidenceFacts], *, origin: Resolution, g0_label: str, names: _Names
) -> _Sorted:
    """Sort each piece of evidence (in id order) by what the rule makes of it, and assess all
    but the independent supports, whose weight depends on how they group."""
    graph, g0 = names.graph, origin.controllers
    out = _Sorted()
    for e in evidence:
        if e.stance == Stance.CONTEXT:
            out.assess(
                e, False, Badge.CONTEXT, "", "Context only: context never counts toward a verdict."
            )
            continue
        if e.snapshot_status != Snapshot.Status.ARCHIVED:
            why = _not_archived_why(e)
            name = names.of(e) if e.publisher_id is not None else publisher_domain(e.url)
            out.assess(e, False, Badge.NOT_ARCHIVED, "", _sentence(why))
            out.not_counted.append((e, f"{name}: {why}"))
            continue
        if e.publisher_id is None:
            why = (
                f"unknown publisher {publisher_domain(e.url)} (an editor must classify the domain)"
            )
            out.assess(e, False, Badge.UNKNOWN, "", _sentence(why))
            out.not_counted.append((e, why))
            continue
        controllers = graph.resolve(e.publisher_id).controllers
        glabel = graph.group_label(controllers)
        independent_of_origin = controllers.isdisjoint(g0)
        if e.stance == Stance.ECHOES:
            out.echoes.append(e)
            out.assess(
                e,
                origin.state_controlled,
                Badge.ECHO,
                glabel,
                "Echoes the claimant: never independent; it shows only that the claim was published.",
            )
        elif e.stance == Stance.REFUTES and independent_of_origin:
            out.independent_refutes.append(e)
            out.assess(
                e, True, Badge.REFUTES, glabel, f"Refutes the claim, independent of {g0_label}."
            )
        elif e.stance == Stance.REFUTES:
            out.assess(
                e,
                False,
                Badge.REFUTES,
                glabel,
                f"Refutes the claim but shares the origin's controllers ({g0_label}): not independent.",
            )
            out.not_counted.append(
                (e, f"{names.with_group(e, controllers)}: refutes, but same group as the origin")
            )
        elif not independent_of_origin:  # supports, same group as the origin
            out.same_group.append(e)
            out.assess(
                e,
                origin.state_controlled,
                Badge.SAME_GROUP,
                glabel,
                f"Same group as the origin ({g0_label}): not independent.",
            )
        else:  # supports, independent of the origin: grouped next
            out.independent_supports.append((e, controllers))
    return out


def _group(sorted_: _Sorted, *, g0_label: str, names: _Names) -> list[_Group]:
    """Group the independent supports (`_independent_groups`) and assess each of them: the
    first outlet of a group counts, the others are "same owner as" it, and a source outside
    the chosen groups is counted within the groups it overlaps."""
    graph = names.graph
    groups = _independent_groups(sorted_.independent_supports)
    for g in groups:
        first, glabel = g.members[0], graph.group_label(g.controllers)
        sorted_.assess(
            first,
            True,
            Badge.INDEPENDENT,
            glabel,
            f"Independent of {g0_label}: counts as one group.",
        )
        for m in g.members[1:]:
            sorted_.assess(
                m,
                False,
                Badge.SAME_GROUP,
                glabel,
                f"Same owner as {names.of(first)} ({glabel}): counted once.",
            )
            sorted_.not_counted.append(
                (m, f"{names.of(m)}: same owner as {names.of(first)}, counted once")
            )
    for e, controllers in sorted_.independent_supports:
        if e.id in sorted_.assessments:
            continue
        # Not in the chosen packing: it overlaps at least one counted group (a maximum
        # packing is maximal), in the counted groups' order.
        shared = [g for g in groups if not g.controllers.isdisjoint(controllers)]
        shared_names = _and([names.of(g.members[0]) for g in shared])
        if len(shared) > 1:
            why = (
                f"shares controllers with {shared_names} (joint control), counted within their"
                " groups"
            )
        else:
            why = (
                f"shares a controller with {shared_names} "
                f"({graph.group_label(shared[0].controllers)}), counted within its group"
            )
        sorted_.assess(e, False, Badge.SAME_GROUP, graph.group_label(controllers), _sentence(why))
        sorted_.not_counted.append((e, f"{names.of(e)}: {why}"))
    # "Did not count" lines in evidence id order, whatever step produced them.
    sorted_.not_counted.sort(key=lambda item: item[0].id)
    return groups


def _status(sorted_: _Sorted, *, n_groups: int, origin: Resolution, min_sources: int) -> str | None:
    """The rule itself (module docstring, points 1 to 4)."""
    if sorted_.independent_refutes:
        return Status.DISPUTED
    if n_groups >= min_sources:
        return Status.INDEPENDENTLY_VERIFIED
    if origin.state_controlled and (sorted_.same_group or sorted_.echoes) and n_groups == 0:
        return Status.STATE_SOURCED
    return None


def _reasons(
    *,
    status: str | None,
    sorted_: _Sorted,
    groups: list[_Group],
    needed: int,
    origin_id: int,
    origin: Resolution,
    g0_label: str,
    names: _Names,
    any_evidence: bool,
) -> list[str]:
    """The suggestion's reasons in words, in a fixed order: the origin, refutations, the
    independent groups, same-group sources, echoes, what did not count, what is still needed,
    and the suggestion itself."""
    graph, g0 = names.graph, origin.controllers
    controlled_by = (
        "no controlling owner on record"
        if g0 == frozenset({origin_id})
        else f"controlled by {g0_label}"
    )
    reasons = [
        f"Origin: {graph.name(origin_id)}, {controlled_by}"
        + (" (state-controlled)." if origin.state_controlled else " (not state-controlled).")
    ]
    refutes = sorted_.independent_refutes
    if refutes:
        reasons.append(
            f"Refuted by {_plural(len(refutes), 'independent source')}: "
            + ", ".join(names.with_group(e) for e in refutes)
        )
    if groups:
        parts = []
        for g in groups:
            if len(g.members) == 1:
                parts.append(names.with_group(g.members[0], g.controllers))
            else:
                outlets = " and ".join(names.of(m) for m in g.members)
                parts.append(f"{outlets} ({graph.group_label(g.controllers)})")
        reasons.append(f"{_plural(len(groups), 'independent group')}: " + ", ".join(parts))
    else:
        reasons.append("0 independent groups.")
    if sorted_.same_group:
        reasons.append(
            f"{_plural(len(sorted_.same_group), 'same-group source')}: "
            + ", ".join(names.with_group(e) for e in sorted_.same_group)
        )
    if sorted_.echoes:
        reasons.append(
            f"{_plural(len(sorted_.echoes), 'source')} echoing the claimant (never independent): "
            + ", ".join(names.with_group(e) for e in sorted_.echoes)
        )
    for _e, why in sorted_.not_counted:
        reasons.append(f"Did not count: {why}.")
    if status in (None, Status.STATE_SOURCED) and needed:
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
    if status is None and not any_evidence:
        reasons.append("No evidence attached yet.")
    reasons.append(f"Suggestion: {STATUS_WORDS[status]}.")
    return reasons


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
    for which groups count when controller sets overlap. Three steps: sort the evidence
    (`_classify`), group the independent supports (`_group`), then decide (`_status`) and say
    why (`_reasons`).
    """
    evidence = sorted(evidence, key=lambda e: e.id)
    origin = graph.resolve(origin_id)
    g0_label = graph.group_label(origin.controllers)
    names = _Names(graph)
    sorted_ = _classify(evidence, origin=origin, g0_label=g0_label, names=names)
    groups = _group(sorted_, g0_label=g0_label, names=names)
    n_groups = len(groups)
    needed = max(0, min_sources - n_groups)
    status = _status(sorted_, n_groups=n_groups, origin=origin, min_sources=min_sources)
    reasons = _reasons(
        status=status,
        sorted_=sorted_,
        groups=groups,
        needed=needed,
        origin_id=origin_id,
        origin=origin,
        g0_label=g0_label,
        names=names,
        any_evidence=bool(evidence),
    )
    return Suggestion(
        status=status,
        reasons=reasons,
        needed=needed,
        assessments=sorted_.assessments,
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
    if suggestion is None or status not in RULE_STATUSES | {Status.UNVERIFIABLE}:
        return None
    wanted = STATUS_WORDS.get(status, status)
    if status == Status.UNVERIFIABLE:
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
