"""The reviewers' desk: the queue, the claim page, and the forms that call claims.services.

Every page works as plain HTML forms (POST, then redirect); htmx enhances them where it is
loaded (filters without reload, attach and decide in place, live snapshot status). Views only
validate input and translate the services' exceptions into messages on the page: the rules live
in claims.services and claims.suggestion.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from claims.forms import DecisionForm, EvidenceForm, QueueFilterForm
from claims.models import Article, Claim, Evidence
from claims.presenters import SORTS, claim_page, panel_reasons, queue_page, status_tabs
from claims.selectors import claim_for_page, open_classification_count
from claims.services.classification import ClassificationNotNeeded, classification_request_ask
from claims.services.evidence import (
    EvidenceRejected,
    evidence_attach,
    evidence_remove,
    evidence_replace_url,
    evidence_retry_archive,
)
from claims.services.status import (
    ClaimTaken,
    DecisionRefused,
    VersionConflict,
    claim_release,
    claim_set_status,
    claim_take,
)
from plumbing.request_size import bind_oversized, oversized_post_to_form

#: Still sent when an evidence row changes (attached, archived, failed), for scripts that
#: listen; the page itself gets the suggestion panel, the decide box's advice and the evidence
#: counts out of band in the same response (`evidence-changed`), never in a second request.
EVIDENCE_CHANGED = "reex:evidence-changed"


def can_use_desk(user: Any) -> bool:
    """Reviewers and editors have a desk; API consumers (read-only tokens) do not."""
    return user.is_active and (
        user.has_perm("claims.decide_claim") or user.has_perm("claims.add_evidence")
    )


def desk_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else to the sign-in page) and a reviewer or editor (else a 403 page that says
    where API consumers should go)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.htmx:
                # A fragment request after the session expired: send the whole page to sign-in.
                back = urlencode({"next": request.htmx.current_url_abs_path or "/"})
                return HttpResponseClientRedirect(f"{reverse('login')}?{back}")
            return redirect_to_login(request.get_full_path())
        if not can_use_desk(request.user):
            return render(request, "claims/no_desk.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _claim_or_404(pk: int) -> Claim:
    try:
        return claim_for_page(pk)
    except Claim.DoesNotExist:
        raise Http404("No claim with that number.") from None


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --------------------------------------------------------------------------- the queue


@desk_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The claims that need work, with counts per status, filters, search, sort, pages."""
    form = QueueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # bad values are shown next to their field and ignored
    filters = form.filters()
    counts = status_tabs(filters=filters, user=request.user)
    total = next((c.count for c in counts if c.key == filters.status), None)
    page, rows = queue_page(
        filters=filters, user=request.user, page_number=request.GET.get("page"), total=total
    )
    keep = request.GET.copy()
    keep.pop("page", None)
    keep_status = keep.copy()
    keep_status.pop("status", None)
    context = {
        "form": form,
        "options": form.options(),
        "filters": filters,
        "page": page,
        "rows": rows,
        "counts": counts,
        "sorts": SORTS,
        "query_keep": keep.urlencode(),
        "query_keep_status": keep_status.urlencode(),
        "here": request.get_full_path(),
        "classification_open": open_classification_count(request.user),
    }
    template = "claims/queue.html"
    if request.htmx and request.htmx.target == "queue-results":
        template += "#queue-results"
    return render(request, template, context)


@desk_required
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a claim: it is assigned to you and moves into review. Two reviewers can never both
    take it; the second is told who has it."""
    claim = _claim_or_404(pk)
    try:
        claim_take(claim=claim, actor=request.user)
    except ClaimTaken as exc:
        messages.error(
            request, f"{exc.holder} is already reviewing claim #{claim.pk}; pick another."
        )
        return redirect(_next_url(request, reverse("claims:queue")))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(_next_url(request, reverse("claims:queue")))
    messages.success(request, f"Claim #{claim.pk} is yours: it is now in review.")
    return redirect("claims:detail", pk=claim.pk)


@desk_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a claim back to the queue (its reviewer, or an editor)."""
    claim = _claim_or_404(pk)
    try:
        claim_release(claim=claim, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("claims:detail", pk=claim.pk)
    messages.success(request, f"Claim #{claim.pk} is back in the queue.")
    return redirect(_next_url(request, reverse("claims:queue")))


# --------------------------------------------------------------------------- the claim page


def _page_context(
    request: HttpRequest,
    claim: Claim,
    *,
    evidence_form: EvidenceForm | None = None,
    decision_form: DecisionForm | None = None,
    conflict: VersionConflict | None = None,
    refusal: DecisionRefused | None = None,
) -> dict[str, Any]:
    data = claim_page(claim=claim, user=request.user)
    can_override = request.user.has_perm("claims.override_decision")
    return {
        "claim": claim,
        "data": data,
        "evidence_form": evidence_form or EvidenceForm(),
        "decision_form": decision_form
        or DecisionForm(
            # The rule's suggestion is preselected; the reviewer still has to give a rationale.
            initial={"version": claim.version, "status": getattr(data.suggestion, "status", None)},
            can_override=can_override,
        ),
        "conflict": conflict,
        "refusal": refusal,
        "refusal_reasons": panel_reasons(refusal) if refusal is not None else [],
        "can_override": can_override,
        "can_decide": request.user.has_perm("claims.decide_claim"),
        "can_attach": request.user.has_perm("claims.add_evidence"),
        "is_mine": claim.assignee_id == request.user.pk,
    }


@desk_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    return render(request, "claims/claim_detail.html", _page_context(request, claim))


@oversized_post_to_form
@desk_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a source URL. Errors (not a URL, already attached, refused address, a body too
    large to read) come back next to the field with what was typed kept."""
    claim = _claim_or_404(pk)
    oversized = getattr(request, "oversized_post", None)
    form = bind_oversized(EvidenceForm, oversized) if oversized else EvidenceForm(request.POST)
    evidence = None
    if form.is_valid():
        try:
            evidence = evidence_attach(
                claim=claim,
                url=form.cleaned_data["url"],
                stance=form.cleaned_data["stance"],
                excerpt=form.cleaned_data["excerpt"],
                actor=request.user,
            )
        except EvidenceRejected as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, _message(exc))
    if evidence is not None:
        if request.htmx:
            context = _page_context(request, claim)
            context["just_added"] = evidence.pk
            response = render(request, "claims/claim_detail.html#evidence-attached", context)
            return trigger_client_event(response, EVIDENCE_CHANGED)
        messages.success(request, "Source attached: it is being archived.")
        return redirect(f"{claim.get_absolute_url()}#evidence-{evidence.pk}")
    context = _page_context(request, claim, evidence_form=form)
    template = "claims/claim_detail.html"
    if request.htmx:
        template += "#evidence-section"
    return render(request, template, context, status=400)


@desk_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide a verdict. A refusal shows the rule's reasons, a version conflict shows what
    changed; in both cases the form keeps what was typed."""
    claim = _claim_or_404(pk)
    can_override = request.user.has_perm("claims.override_decision")
    form = DecisionForm(request.POST, can_override=can_override)
    conflict = refusal = None
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            claim_set_status(
                claim=claim,
                status=data["status"],
                actor=request.user,
                rationale=data["rationale"],
                version=data["version"],
                override=bool(data.get("override")),
            )
        except VersionConflict as exc:
            conflict, status = exc, 409
            # Keep the typed verdict and rationale; the hidden version moves to the current one,
            # so sending again (after reading what changed) is a deliberate second decision.
            typed = request.POST.copy()
            typed["version"] = str(exc.current)
            form = DecisionForm(typed, can_override=can_override)
            claim = _claim_or_404(pk)
        except DecisionRefused as exc:
            refusal = exc
        except (PermissionDenied, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            label = Claim.Status(data["status"]).label
            messages.success(request, f"Claim #{claim.pk} is now “{label}”.")
            if request.htmx:
                # A full load (the query string makes it one: a bare "#audit" would only scroll)
                # so the status, the form's version and the audit trail all show the decision.
                target = f"{claim.get_absolute_url()}?decided={claim.version}#audit"
                return HttpResponseClientRedirect(target)
            return redirect(f"{claim.get_absolute_url()}#audit")
    context = _page_context(request, claim, decision_form=form, conflict=conflict, refusal=refusal)
    template = "claims/claim_detail.html"
    if request.htmx:
        # The decide box, and the panel out of band: the refusal and the panel come from the
        # same suggestion.
        template += "#decision-changed"
    return render(request, template, context, status=status)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _add_errors(form: DecisionForm, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, _message(exc))


# --------------------------------------------------------------------------- fragments


def _evidence_or_404(claim: Claim, evidence_id: int):
    ev = claim.evidence.select_related("snapshot").filter(pk=evidence_id).first()
    if ev is None:
        raise Http404("No such evidence on this claim.")
    return ev


@desk_required
@require_GET
def evidence_row(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """One evidence row (polled while its snapshot is pending or fetching), with the suggestion
    panel, the decide box's advice and the evidence counts out of band: one computation for all
    of them, so they never disagree with the row."""
    claim = _claim_or_404(pk)
    context = _page_context(request, claim)
    ev = next((v for v in context["data"].evidence if v.evidence.pk == evidence_id), None)
    if ev is None:
        raise Http404("No such evidence on this claim.")
    context["ev"] = ev
    response = render(request, "claims/claim_detail.html#evidence-changed", context)
    if not ev.in_flight:
        trigger_client_event(response, EVIDENCE_CHANGED)
    return response


def _evidence_page(request: HttpRequest, claim: Claim, ev, *, show: str) -> HttpResponse:
    """A desk page around one evidence's archived copy or its text: the desk's header, a way
    back to the claim, and the same sandboxed frame (the link a reviewer follows when the panel
    has not loaded, or without JavaScript)."""
    return render(
        request,
        "claims/evidence_page.html",
        {"claim": claim, "evidence": ev, "snapshot": ev.snapshot, "show": show, "full_page": True},
    )


@desk_required
@require_GET
def evidence_text(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """The extracted text of an evidence's archived copy: a fragment for the panel (htmx), a
    desk page otherwise."""
    claim = _claim_or_404(pk)
    ev = _evidence_or_404(claim, evidence_id)
    if not request.htmx:
        return _evidence_page(request, claim, ev, show="text")
    return render(request, "claims/claim_detail.html#evidence-text", {"snapshot": ev.snapshot})


@desk_required
@require_GET
def evidence_archive(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """The sandboxed frame of an evidence's archived copy: a fragment for the panel (htmx), a
    desk page otherwise."""
    claim = _claim_or_404(pk)
    ev = _evidence_or_404(claim, evidence_id)
    if not request.htmx:
        return _evidence_page(request, claim, ev, show="archive")
    return render(
        request,
        "claims/claim_detail.html#evidence-archive",
        {"claim": claim, "evidence": ev, "snapshot": ev.snapshot},
    )


@desk_required
@require_GET
def suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestion panel alone (for scripts; the page gets it out of band)."""
    claim = _claim_or_404(pk)
    return render(
        request, "claims/claim_detail.html#suggestion-panel", _page_context(request, claim)
    )


@desk_required
@require_POST
def classify_request(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """Ask an editor to classify the unknown publisher of one evidence row."""
    claim = _claim_or_404(pk)
    ev = _evidence_or_404(claim, evidence_id)
    try:
        req = classification_request_ask(evidence=ev, actor=request.user)
    except (PermissionDenied, ClassificationNotNeeded) as exc:
        if request.htmx:
            return HttpResponse(
                f'<div class="classify" id="classify-{ev.pk}"><p class="flash flash-error" '
                f'role="alert">{escape(str(exc))}</p></div>',
                status=400 if isinstance(exc, ClassificationNotNeeded) else 403,
            )
        messages.error(request, str(exc))
        return redirect(f"{claim.get_absolute_url()}#evidence-{ev.pk}")
    if request.htmx:
        context = _page_context(request, claim)
        context["ev"] = next(v for v in context["data"].evidence if v.evidence.pk == ev.pk)
        return render(request, "claims/claim_detail.html#classification", context)
    messages.success(request, f"Asked an editor to classify {req.domain}.")
    return redirect(f"{claim.get_absolute_url()}#evidence-{ev.pk}")


@desk_required
@require_POST
def evidence_recapture(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """A reviewer asks for a browser capture of one evidence's source (sources/render.py): a new
    snapshot, the earlier one kept; the evidence follows it once it is archived."""
    from sources.services.requests import request_browser_capture

    claim = _claim_or_404(pk)
    ev = _evidence_or_404(claim, evidence_id)
    if not request.user.has_perm("claims.add_evidence"):
        raise PermissionDenied("Only reviewers and editors may ask for a browser capture.")
    if ev.snapshot is None:
        messages.error(request, "This evidence has no archived copy to capture again yet.")
        return redirect(f"{claim.get_absolute_url()}#evidence-{ev.pk}")
    with transaction.atomic():
        fresh = request_browser_capture(snapshot=ev.snapshot)
    messages.success(
        request,
        f"A browser capture of {ev.snapshot.url} is queued (snapshot {fresh.pk}); this evidence "
        "moves to it once it is archived. The current copy stays as it is.",
    )
    return redirect(_next_url(request, f"{claim.get_absolute_url()}#evidence-{ev.pk}"))


def _wacz_of(snapshots, *, title: str, filename: str, back: str, request) -> HttpResponse:
    from sources import wacz
    from sources.views import wacz_response

    try:
        name = wacz.stored_package(snapshots, title=title, description="Evidence, by reex")
    except wacz.WACZError as exc:
        messages.error(request, f"No WACZ yet: {exc}. Try again once the evidence is archived.")
        return redirect(back)
    return wacz_response(name, filename)


@desk_required
@require_GET
def claim_wacz(request: HttpRequest, pk: int) -> HttpResponse:
    """Every archived copy of one claim's evidence as one WACZ (each copy a page)."""
    if not request.user.has_perm("sources.view_snapshot"):
        raise PermissionDenied("You may not download archived copies.")
    claim = _claim_or_404(pk)
    snapshots = _evidence_snapshots(Evidence.objects.filter(claim=claim))
    return _wacz_of(
        snapshots,
        title=f"reex claim {claim.pk}: evidence",
        filename=f"claim-{claim.pk}-evidence.wacz",
        back=claim.get_absolute_url(),
        request=request,
    )


@desk_required
@require_GET
def article_wacz(request: HttpRequest, key: str) -> HttpResponse:
    """Every archived copy of one article's evidence (all its claims) as one WACZ."""
    if not request.user.has_perm("sources.view_snapshot"):
        raise PermissionDenied("You may not download archived copies.")
    article = get_object_or_404(Article, key=key)
    snapshots = _evidence_snapshots(Evidence.objects.filter(claim__article=article))
    return _wacz_of(
        snapshots,
        title=f"reex article {article.pk}: {article}"[:200],
        filename=f"article-{article.key}-evidence.wacz",
        back="/",
        request=request,
    )


def _evidence_snapshots(evidence) -> list:
    seen: dict[int, object] = {}
    for item in evidence.select_related("snapshot").order_by("pk"):
        snap = item.snapshot
        if snap is not None and snap.status == "archived" and snap.pk not in seen:
            seen[snap.pk] = snap
    return list(seen.values())


# ------------------------------------------------------------------ a source's next step


def _source_action(
    request: HttpRequest,
    pk: int,
    evidence_id: int,
    act: Callable[..., Any],
    done: str,
    *,
    gone: bool = False,
) -> HttpResponse:
    """Run one of a source's next steps (retry, replace, remove) and come back to it with
    what happened, or with why not (a message a person can act on, never a 500)."""
    claim = _claim_or_404(pk)
    ev = _evidence_or_404(claim, evidence_id)
    anchor = f"#evidence-{ev.pk}"
    try:
        act(ev)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "Your account may not change this source.")
    except EvidenceRejected as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, done)
        if gone:  # the row is no more: back to the list
            anchor = "#evidence-section"
    return redirect(f"{claim.get_absolute_url()}{anchor}")


@desk_required
@require_POST
def evidence_retry(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """Archive a source whose archiving failed once more."""
    return _source_action(
        request,
        pk,
        evidence_id,
        lambda ev: evidence_retry_archive(evidence=ev, actor=request.user),
        "Archiving again: the source's status updates here when the worker is done.",
    )


@desk_required
@require_POST
def evidence_replace(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """Point a source at another URL (archived afresh; stance and excerpt kept)."""
    url = request.POST.get("url", "")
    reason = request.POST.get("reason", "")
    return _source_action(
        request,
        pk,
        evidence_id,
        lambda ev: evidence_replace_url(evidence=ev, url=url, reason=reason, actor=request.user),
        "URL replaced: the new address is being archived.",
    )


@desk_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    """Take a source off the claim (kept in the audit trail)."""
    reason = request.POST.get("reason", "")
    return _source_action(
        request,
        pk,
        evidence_id,
        lambda ev: evidence_remove(evidence=ev, reason=reason, actor=request.user),
        "Source removed from the claim (the audit trail keeps what it was).",
        gone=True,
    )
