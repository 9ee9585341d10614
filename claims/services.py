"""Writes on claims. Every status change goes through `claim_set_status`; nothing else writes
`Claim.status` or `Claim.version` (the admin, the queue, the API, tasks and commands call it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from claims.materialised import suggestions_refresh
from claims.models import (
    EXCERPT_MAX_LENGTH,
    RATIONALE_MAX_LENGTH,
    Claim,
    ClassificationRequest,
    Evidence,
    StatusChange,
)
from claims.suggestion import decision_refusal, suggest_for_claim
from claims.webhooks import notify_status_change
from sources.publishers import publisher_for_url
from sources.services import snapshot_request


class VersionConflict(Exception):
    """The claim changed since the caller read it: nothing was written."""

    def __init__(self, *, claim_id: int, expected: int, current: int) -> None:
        self.claim_id, self.expected, self.current = claim_id, expected, current
        super().__init__(
            f"Claim {claim_id} changed since you loaded it (you had version {expected}, it is now "
            f"version {current}). Reload it, check what changed, and decide again."
        )


@dataclass
class DecisionRefused(Exception):
    """The evidence does not support the verdict; `reasons` say why in words."""

    message: str
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class ClaimTaken(PermissionDenied):
    """Another reviewer holds the claim (taking it, or deciding it). A PermissionDenied, so a
    caller that handles refusals in general shows its message."""

    def __init__(self, *, claim_id: int, holder: str, message: str = "") -> None:
        self.claim_id, self.holder = claim_id, holder
        super().__init__(message or f"{holder} is already reviewing this claim.")


class EvidenceRejected(Exception):
    """The URL cannot be attached (duplicate, not http(s), ...): a message a person can act on.
    `duplicate` says the URL is already there (a conflict with what is stored, not bad input)."""

    def __init__(self, message: str, *, field: str = "url", duplicate: bool = False) -> None:
        self.field, self.duplicate = field, duplicate
        super().__init__(message)


FINAL_STATUSES = frozenset(
    {
        Claim.Status.STATE_SOURCED,
        Claim.Status.INDEPENDENTLY_VERIFIED,
        Claim.Status.DISPUTED,
        Claim.Status.UNVERIFIABLE,
    }
)


def claim_set_status(
    *,
    claim: Claim,
    status: str,
    actor: AbstractBaseUser | None,
    rationale: str,
    version: int,
    override: bool = False,
    check_rule: bool = True,
) -> Claim:
    """Move `claim` to `status` if it is still at `version`; write one audit row; bump version.

    Compare-and-swap on `version`: of two concurrent decisions on one version exactly one
    updates a row; the other raises `VersionConflict` and writes nothing. A verdict the evidence
    does not support raises `DecisionRefused` unless an editor overrides with a rationale.
    A reviewer decides only a claim they hold or one nobody holds (`ClaimTaken`, naming the
    holder, otherwise); editors decide any; the holder is part of the guarded update, so a claim
    taken a moment ago is not decided over its holder's head.
    `actor=None` is for system moves (seed loading); it never overrides.
    """
    if status not in Claim.Status.values:
        raise ValidationError(
            {
                "status": f"Unknown status {status!r}; choose one of {', '.join(Claim.Status.values)}."
            }
        )
    rationale = (rationale or "").strip()
    if len(rationale) > RATIONALE_MAX_LENGTH:
        raise ValidationError(
            {"rationale": f"A rationale has at most {RATIONALE_MAX_LENGTH:,} characters."}
        )
    if actor is not None:
        if not actor.has_perm("claims.decide_claim"):
            raise PermissionDenied("Only reviewers and editors may change a claim's status.")
        # A verdict, and undoing one, need a reason; starting a review does not.
        undoing = claim.status in FINAL_STATUSES or status == Claim.Status.UNREVIEWED
        if not rationale and (status in FINAL_STATUSES or undoing):
            raise ValidationError({"rationale": "Say why: a verdict needs a rationale."})
        _refuse_undoing_a_decision(claim=claim, status=status, actor=actor)
        # Refused early from the copy the caller read; the update below guards the race.
        if claim.assignee_id not in (None, actor.pk) and not may_decide_held_claims(actor):
            raise _held_by_another(claim)
    if override:
        if actor is None or not actor.has_perm("claims.override_decision"):
            raise PermissionDenied("Only editors may override the suggestion rule.")
        if not rationale:
            raise ValidationError({"rationale": "An override needs a rationale."})

    with transaction.atomic():
        suggestion = suggest_for_claim(claim)
        if check_rule and status in FINAL_STATUSES and not override:
            refusal = decision_refusal(status=status, suggestion=suggestion)
            if refusal is not None:
                raise DecisionRefused(refusal, suggestion.reasons)
        from_status = claim.status
        target = Claim.objects.filter(pk=claim.pk, version=version)
        holder_rule = actor is not None and not may_decide_held_claims(actor)
        if holder_rule:
            # The holder rule is part of the compare-and-swap: a claim taken by someone else a
            # moment ago is not decided over their head.
            target = target.filter(Q(assignee__isnull=True) | Q(assignee=actor))
        updated = target.update(status=status, version=F("version") + 1, updated_at=timezone.now())
        if not updated:
            # Nothing got updated: another decision got there first (or the caller read an old
            # copy), or another reviewer holds the claim. Say which.
            now = Claim.objects.select_related("assignee").filter(pk=claim.pk).first()
            if now is not None and now.version == version and holder_rule:
                raise _held_by_another(now)
            current = now.version if now is not None else 0
            raise VersionConflict(claim_id=claim.pk, expected=version, current=current)
        fresh = Claim.objects.select_for_update().get(pk=claim.pk)
        StatusChange.objects.create(
            claim=fresh,
            actor=actor,
            from_status=from_status,
            to_status=status,
            rationale=rationale,
            override=override,
            evidence_ids=list(claim.evidence.order_by("id").values_list("id", flat=True)),
            suggested_status=suggestion.status or "",
            extra={"reasons": suggestion.reasons},
        )
        # Webhooks after commit; notify_status_change never raises, so a decision never fails
        # on a partner's endpoint or a broker outage.
        transaction.on_commit(lambda: notify_status_change(claim_id=fresh.pk))
    claim.status, claim.version, claim.updated_at = fresh.status, fresh.version, fresh.updated_at
    return claim


def may_decide_held_claims(actor: AbstractBaseUser) -> bool:
    """Editors may decide (and release) a claim whoever holds it; reviewers only their own
    claims and claims nobody holds."""
    return actor.has_perm("claims.change_claim")


def _held_by_another(claim: Claim) -> ClaimTaken:
    holder = claim.assignee.get_username() if claim.assignee else "someone"
    return ClaimTaken(
        claim_id=claim.pk,
        holder=holder,
        message=(
            f"{holder} holds claim #{claim.pk}: only the reviewer holding a claim, or an editor, "
            f"may decide it. Ask {holder} to release it (or an editor to reassign it)."
        ),
    )


def _refuse_undoing_a_decision(*, claim: Claim, status: str, actor: AbstractBaseUser) -> None:
    """A verdict stands until an editor reopens it: reviewers may not take a decided claim
    back to `unreviewed`/`in_review`, nor change a verdict an editor set by override."""
    if actor.has_perm("claims.override_decision"):
        return
    if status == Claim.Status.UNREVIEWED:
        raise PermissionDenied("Only editors may send a claim back to unreviewed.")
    if claim.status in FINAL_STATUSES and status not in FINAL_STATUSES:
        raise PermissionDenied(
            f"This claim has a verdict ({claim.get_status_display()}); only an editor may reopen it."
        )
    last = StatusChange.objects.filter(claim=claim).order_by("-id").only("override").first()
    if last is not None and last.override:
        raise PermissionDenied(
            "An editor overrode the suggestion on this claim; only an editor may change its verdict."
        )


def claim_take(*, claim: Claim, actor: AbstractBaseUser) -> Claim:
    """Assign `claim` to `actor` and move it into review. Two reviewers never both get it:
    the assignment is a conditional update on "unassigned (or already mine)"."""
    if not actor.has_perm("claims.decide_claim"):
        raise PermissionDenied("Only reviewers and editors may take a claim.")
    with transaction.atomic():
        got = (
            Claim.objects.filter(pk=claim.pk, assignee__isnull=True).update(
                assignee=actor, updated_at=timezone.now()
            )
            or Claim.objects.filter(pk=claim.pk, assignee=actor).count()
        )
        if not got:
            holder = Claim.objects.select_related("assignee").get(pk=claim.pk).assignee
            raise ClaimTaken(
                claim_id=claim.pk, holder=holder.get_username() if holder else "someone"
            )
        fresh = Claim.objects.get(pk=claim.pk)
        if fresh.status == Claim.Status.UNREVIEWED:
            claim_set_status(
                claim=fresh,
                status=Claim.Status.IN_REVIEW,
                actor=actor,
                rationale="Taken for review.",
                version=fresh.version,
            )
    claim.refresh_from_db()
    return claim


def claim_assign(
    *, claim: Claim, assignee: AbstractBaseUser | None, actor: AbstractBaseUser
) -> Claim:
    """An editor (re)assigns a claim; the assignment is not a status change."""
    if not actor.has_perm("claims.change_claim"):
        raise PermissionDenied("Only editors may assign claims.")
    Claim.objects.filter(pk=claim.pk).update(assignee=assignee, updated_at=timezone.now())
    claim.refresh_from_db()
    return claim


def claim_release(*, claim: Claim, actor: AbstractBaseUser) -> Claim:
    """Give a claim back to the queue (only its assignee or an editor)."""
    if claim.assignee_id != actor.pk and not may_decide_held_claims(actor):
        raise PermissionDenied("Only the reviewer holding the claim or an editor may release it.")
    Claim.objects.filter(pk=claim.pk).update(assignee=None, updated_at=timezone.now())
    claim.refresh_from_db()
    return claim


def evidence_check(*, claim: Claim, url: str, stance: str) -> str:
    """The URL as it would be stored, or `EvidenceRejected` with a message a person can act on
    (not a web address, a refused address, an unknown stance, already attached). Forms call it
    to show the message by the field; `evidence_attach` calls it before writing."""
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise EvidenceRejected("Enter a full web address starting with http:// or https://.")
    refusal = _address_refusal(url)
    if refusal:
        raise EvidenceRejected(refusal)
    if stance not in Evidence.Stance.values:
        raise EvidenceRejected(
            f"Unknown stance {stance!r}; choose one of {', '.join(Evidence.Stance.values)}.",
            field="stance",
        )
    if Evidence.objects.filter(claim=claim, url=url).exists():
        raise EvidenceRejected("This URL is already attached to this claim.", duplicate=True)
    return url


def evidence_attach(
    *, claim: Claim, url: str, stance: str, excerpt: str = "", actor: AbstractBaseUser | None
) -> Evidence:
    """Attach a source URL to a claim: resolve its publisher, create a `pending` snapshot and
    queue archiving after commit. Refuses a URL already attached to this claim."""
    if actor is not None and not actor.has_perm("claims.add_evidence"):
        raise PermissionDenied("Only reviewers and editors may attach sources.")
    url = evidence_check(claim=claim, url=url, stance=stance)
    excerpt = (excerpt or "").strip()
    if len(excerpt) > EXCERPT_MAX_LENGTH:
        raise EvidenceRejected(
            f"The excerpt is {len(excerpt):,} characters; the most is {EXCERPT_MAX_LENGTH:,}. "
            "Quote the passage that matters, not the whole page.",
            field="excerpt",
        )
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                claim=claim,
                url=url,
                stance=stance,
                excerpt=excerpt,
                added_by=actor,
                publisher=publisher_for_url(url),
                snapshot=snapshot_request(url=url),
            )
            Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    except IntegrityError:
        # The same URL attached by someone else a moment ago: the unique constraint caught it.
        raise EvidenceRejected(
            "This URL is already attached to this claim.", duplicate=True
        ) from None
    return evidence


def evidence_classify_publisher(*, evidence: Evidence, entity, actor: AbstractBaseUser) -> int:
    """An editor says who publishes an evidence URL whose publisher was unknown. In one step:
    set `entity` as this evidence's publisher, register the URL's registrable domain for it
    (when no domain of the URL is registered yet), and set the publisher on every other
    evidence row still unknown on that domain, so they count from the next suggestion on.
    Returns how many evidence rows got the publisher."""
    from claims.publisher_sync import evidence_on_domains
    from sources.models import Domain
    from sources.publishers import registrable_domain

    if not actor.has_perm("claims.change_evidence"):
        raise PermissionDenied("Only editors may classify a publisher.")
    domain = registrable_domain(evidence.url)
    now = timezone.now()
    with transaction.atomic():
        n = Evidence.objects.filter(pk=evidence.pk).update(publisher=entity, updated_at=now)
        if not domain:  # an IP-literal URL: no domain to register, this row only
            classification_requests_resolve(evidence_ids=[evidence.pk], actor=actor)
            suggestions_refresh([evidence.claim_id])
            evidence.publisher = entity
            return n
        # The rows still unknown, found before the domain is registered: registering it
        # already re-resolves them (claims.publisher_sync), and they are counted here.
        ids = [e.pk for e in evidence_on_domains(domains=[domain], unknown_only=True)]
        register = publisher_for_url(evidence.url) is None
        if register and not actor.has_perm("sources.add_domain"):
            raise PermissionDenied("Only editors may register a domain.")
        # The rows first, then the domain: the requests on them are resolved here, in this
        # editor's name, before the domain's resync (which knows no user) would see them.
        n += Evidence.objects.filter(pk__in=ids).update(publisher=entity, updated_at=now)
        suggestions_refresh(
            Evidence.objects.filter(pk__in=[evidence.pk, *ids]).values_list("claim_id", flat=True)
        )
        classification_requests_resolve(evidence_ids=[evidence.pk, *ids], actor=actor)
        if register:
            Domain.objects.get_or_create(
                domain=domain, defaults={"entity": entity, "note": "Classified from evidence."}
            )
    evidence.publisher = entity
    return n


class ClassificationNotNeeded(Exception):
    """The evidence already has a publisher: there is nothing for an editor to classify."""


def classification_domain(url: str) -> str:
    """What an editor is asked to classify: the URL's registrable domain, or its host when it
    has none (an IP address)."""
    from sources.publishers import host_info

    info = host_info(url)
    return info.registrable or info.host or url


def classification_request_ask(
    *, evidence: Evidence, actor: AbstractBaseUser
) -> ClassificationRequest:
    """A reviewer asks an editor to classify the unknown publisher of `evidence`. Asking again
    while a request is open returns that request (one open request per evidence row, held by
    a partial unique constraint, so two reviewers asking at once get the same one)."""
    if not actor.has_perm("claims.add_evidence"):
        raise PermissionDenied("Only reviewers and editors may ask for a classification.")
    if (
        publisher_for_url(evidence.url) is not None
        or Evidence.objects.filter(pk=evidence.pk, publisher__isnull=False).exists()
    ):
        raise ClassificationNotNeeded(
            "This source's publisher is already known: reload the page to see it."
        )
    existing = ClassificationRequest.objects.open().filter(evidence=evidence).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ClassificationRequest.objects.create(
                domain=classification_domain(evidence.url),
                claim_id=evidence.claim_id,
                evidence=evidence,
                requested_by=actor,
            )
    except IntegrityError:
        # Someone asked a moment ago: the partial unique constraint kept one open request.
        return ClassificationRequest.objects.open().get(evidence=evidence)


def classification_requests_resolve(
    *, evidence_ids: list[int], actor: AbstractBaseUser | None = None
) -> int:
    """Resolve the open requests on `evidence_ids` whose evidence now has a publisher (called
    wherever evidence gets one: `evidence_classify_publisher`, and the domain register's resync
    in claims.publisher_sync). A conditional update on `resolved_at IS NULL`, so a request is
    resolved once however many paths see it. Returns how many were resolved."""
    if not evidence_ids:
        return 0
    now = timezone.now()
    publishers = dict(
        Evidence.objects.filter(pk__in=evidence_ids, publisher__isnull=False).values_list(
            "pk", "publisher_id"
        )
    )
    n = 0
    for evidence_id, publisher_id in publishers.items():
        n += (
            ClassificationRequest.objects.open()
            .filter(evidence_id=evidence_id)
            .update(resolved_at=now, resolved_by=actor, publisher_id=publisher_id)
        )
    return n


def classification_request_classify(
    *, request: ClassificationRequest, entity, actor: AbstractBaseUser
) -> int:
    """An editor answers a request: `entity` publishes its evidence URL (and its domain, see
    `evidence_classify_publisher`). Returns how many evidence rows got the publisher."""
    evidence = Evidence.objects.get(pk=request.evidence_id)
    return evidence_classify_publisher(evidence=evidence, entity=entity, actor=actor)


def _address_refusal(url: str) -> str | None:
    """Why a URL's address can never be archived, said at attach time (issue 5): an IP literal
    or `localhost` that is not public. Host names are vetted again at fetch time, where DNS is
    resolved (sources.fetch); only REEX_FETCH_ALLOWLIST entries (tests, demos) pass here."""
    from urllib.parse import urlsplit

    from django.conf import settings

    from sources.fetch import address_problem

    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return "That address is not valid (check the host name and port)."
    if not host:
        return "That address has no host name."
    allow = {entry.strip().lower() for entry in getattr(settings, "REEX_FETCH_ALLOWLIST", [])}
    if f"{host}:{port}" in allow or f"[{host}]:{port}" in allow:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "Refused address: localhost is this machine; only public web addresses are archived."
    problem = address_problem(host)
    if problem is not None and problem != "not an IP address":
        return f"Refused address: {host} is {problem}; only public web addresses are archived."
    return None


# --- Proposals (issue 10): candidate claims, and the editors' decisions on them -------------


class ProposalDecided(Exception):
    """The proposal is no longer pending (another editor decided it meanwhile)."""

    def __init__(self, *, proposal_id: int, status: str) -> None:
        self.proposal_id, self.status = proposal_id, status
        super().__init__(f"Proposal {proposal_id} was already decided ({status}).")


@dataclass
class ProposalRun:
    """What `proposals_generate` did, in numbers a command or a message can print."""

    created: int = 0
    matched: int = 0
    already: int = 0
    skipped_rejected: int = 0
    found: int = 0

    def summary(self) -> str:
        return (
            f"{self.created} new proposal(s) ({self.matched} matching an existing claim); "
            f"{self.already} already proposed, {self.skipped_rejected} rejected before and "
            f"not proposed again."
        )


def claim_create(
    *,
    article,
    span_start: int,
    span_end: int,
    kind: str,
    origin,
    restatement: str = "",
    figures: list | None = None,
    subjects=(),
    key: str = "",
) -> Claim:
    """A new claim (status `unreviewed`, version 1) over `article.text[span_start:span_end]`,
    with a key unique in its article. Refuses a span outside the text."""
    import hashlib

    from django.utils.text import slugify

    text = article.text[span_start:span_end]
    if not (0 <= span_start < span_end <= len(article.text)) or not text.strip():
        raise ValidationError({"span_start": "The span is not inside the article text."})
    if kind not in Claim.Kind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    if origin is None:
        raise ValidationError({"origin": "Say who asserted the claim (its origin)."})
    if not key:
        digest = hashlib.sha256(f"{span_start}:{span_end}:{text}".encode()).hexdigest()[:8]
        key = f"{slugify(restatement or text)[:60].strip('-') or 'claim'}-{digest}"
    claim = Claim.objects.create(
        article=article,
        key=key,
        span_start=span_start,
        span_end=span_end,
        text=text,
        restatement=(restatement or "").strip(),
        kind=kind,
        figures=figures or [],
        origin=origin,
    )
    if subjects:
        claim.subjects.set(subjects)
    return claim


def proposals_generate(*, article) -> ProposalRun:
    """Run the proposer (claims.proposals) over `article` and store what is new. A statement
    already proposed for this article (same normalised text) is not proposed twice, and one an
    editor rejected is not proposed again. Each new proposal is linked to an existing claim
    that states the same thing (claims.selectors.claims_matching)."""
    from claims.models import ClaimProposal
    from claims.proposals import propose
    from claims.selectors import claims_matching, proposal_entities

    run = ProposalRun()
    found = propose(
        article.text,
        entities=proposal_entities(),
        title=article.title,
        outlet_id=article.outlet_id,
    )
    run.found = len(found)
    seen = dict(ClaimProposal.objects.filter(article=article).values_list("fingerprint", "status"))
    fresh = []
    for p in found:
        status = seen.get(p.fingerprint)
        if status == ClaimProposal.Status.REJECTED:
            run.skipped_rejected += 1
        elif status is not None:
            run.already += 1
        else:
            fresh.append(p)
    matches = claims_matching(article=article, proposals=fresh)
    for p in fresh:
        match = matches.get(p.fingerprint)
        try:
            with transaction.atomic():
                row = ClaimProposal.objects.create(
                    article=article,
                    span_start=p.start,
                    span_end=p.end,
                    text=p.text,
                    kind=p.kind,
                    figures=p.figures,
                    score=p.score,
                    reasons=p.reasons,
                    origin_kind=p.origin_kind,
                    origin_phrase=p.origin_phrase[:500],
                    origin_id=p.origin_id,
                    fingerprint=p.fingerprint,
                    matched_claim_id=match[0] if match else None,
                    match_reason=match[1][:300] if match else "",
                )
        except IntegrityError:
            run.already += 1  # the same run on another process got there first
            continue
        row.subjects.set(p.subjects)
        run.created += 1
        run.matched += bool(match)
    return run


def _proposal_decide(*, proposal, actor, status: str, claim: Claim | None) -> None:
    """pending → `status`, compare-and-swap: of two editors deciding one proposal, one wins."""
    from claims.models import ClaimProposal

    updated = ClaimProposal.objects.filter(
        pk=proposal.pk, status=ClaimProposal.Status.PENDING
    ).update(status=status, claim=claim, decided_by=actor, decided_at=timezone.now())
    if not updated:
        current = ClaimProposal.objects.filter(pk=proposal.pk).values_list("status", flat=True)
        raise ProposalDecided(proposal_id=proposal.pk, status=current.first() or "gone")
    proposal.status, proposal.claim, proposal.decided_by = status, claim, actor


def _require_editor(actor) -> None:
    if not (actor.has_perm("claims.change_claimproposal") and actor.has_perm("claims.add_claim")):
        raise PermissionDenied("Only editors decide on proposed claims.")


def proposal_accept(
    *,
    proposal,
    actor,
    restatement: str | None = None,
    kind: str | None = None,
    origin=None,
    subjects=None,
) -> Claim:
    """Accept a proposal, edited or not: it becomes a claim (status `unreviewed`) over the same
    span. Edits (restatement, kind, origin, subjects) apply to the claim and are kept on the
    proposal. The origin defaults to the proposal's guess, then to the article's outlet."""
    from claims.proposals import stored_figures

    _require_editor(actor)
    article = proposal.article
    origin = origin or proposal.origin or article.outlet
    with transaction.atomic():
        claim = claim_create(
            article=article,
            span_start=proposal.span_start,
            span_end=proposal.span_end,
            kind=kind or proposal.kind,
            origin=origin,
            restatement=restatement if restatement is not None else proposal.restatement,
            figures=stored_figures(proposal.figures),
            subjects=list(subjects) if subjects is not None else list(proposal.subjects.all()),
        )
        _proposal_decide(
            proposal=proposal, actor=actor, status=proposal.Status.ACCEPTED, claim=claim
        )
        if restatement is not None or kind or origin != proposal.origin:
            type(proposal).objects.filter(pk=proposal.pk).update(
                restatement=claim.restatement, kind=claim.kind, origin=origin
            )
    return claim


def proposal_merge(*, proposal, actor, claim: Claim | None = None) -> Claim:
    """The proposal states what an existing claim states (its match, or `claim`): record that,
    and create no new claim. The existing claim keeps its status, verdict and evidence."""
    _require_editor(actor)
    target = claim or proposal.matched_claim
    if target is None:
        raise ValidationError("This proposal matches no existing claim: accept or reject it.")
    with transaction.atomic():
        _proposal_decide(
            proposal=proposal, actor=actor, status=proposal.Status.MERGED, claim=target
        )
    return target


def proposal_reject(*, proposal, actor) -> None:
    """Reject a proposal. The row stays (by its fingerprint), so the proposer never offers the
    same statement for this article again."""
    _require_editor(actor)
    _proposal_decide(proposal=proposal, actor=actor, status=proposal.Status.REJECTED, claim=None)
