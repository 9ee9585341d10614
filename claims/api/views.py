"""The claim status API (/api/v1/claims/...). Reads are GenericViewSet + mixins; the state
changes are @action endpoints with input serializers that call claims.services, the same
functions the desk and the admin call."""

from __future__ import annotations

from django.core.paginator import InvalidPage
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.changes import ClaimChangesPagination
from claims.api.conditional import (
    body_etag,
    claim_etag,
    conditional_response,
    last_modified,
    page_etag,
    validator_headers,
)
from claims.api.filters import ClaimFilter
from claims.api.presenters import ClaimContext, claim_data
from claims.api.rows import claim_detail, claim_page, claim_validator
from claims.api.serializers import (
    ClaimDetailSerializer,
    ClaimSerializer,
    ClaimSyncSerializer,
    DecisionInputSerializer,
    EvidenceEventSerializer,
    EvidenceInputSerializer,
    EvidenceRemoveInputSerializer,
    EvidenceReplaceInputSerializer,
    EvidenceSerializer,
)
from claims.claimreview import ClaimReviewUnavailable, claim_review, latest_decision
from claims.materialised import LIST_DEFERRED, StoredContext, current_row, read_annotations
from claims.models import Claim, Evidence
from claims.services.evidence import (
    evidence_attach,
    evidence_remove,
    evidence_replace_url,
    evidence_retry_archive,
)
from claims.services.status import claim_set_status
from plumbing.api import READ_ERRORS, ApiPagination, ApiView, errors


class ClaimPagination(ApiPagination):
    """ApiPagination in two queries: the count, then the page's rows (with their stored
    suggestions) selected by the page's ids, which a subquery takes from the primary key index
    (OFFSET walks the index only; the rows' joins and checks run for the page alone)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(
            queryset.values_list("pk", flat=True), self.get_page_size(request)
        )
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(
                self.invalid_page_message.format(page_number=page_number, message=str(exc))
            ) from None
        rows = claim_page(self.page.object_list)
        self.page.object_list = rows
        return rows


def claims_context(claims: list[Claim], *, prefetched: bool = False):
    """One context per claim: the stored suggestions where current (no query), a computed
    `ClaimContext` for the rest (claims/materialised.py says when a row is not current)."""
    stored = {c.pk: row for c in claims if (row := current_row(c)) is not None}
    stored_ctx = StoredContext.build(stored.values(), deferred=not prefetched)
    missing = [c for c in claims if c.pk not in stored]
    computed = ClaimContext.build(missing, prefetched=prefetched) if missing else None
    return {c.pk: stored_ctx if c.pk in stored else computed for c in claims}


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


def evidence_prefetch() -> Prefetch:
    return Prefetch(
        "evidence",
        queryset=Evidence.objects.select_related("snapshot")
        .only(
            "id",
            "claim_id",
            "url",
            "stance",
            "excerpt",
            "publisher_id",
            "created_at",
            "snapshot__id",
            "snapshot__status",
            "snapshot__sha256",
            "snapshot__archived_at",
            "snapshot__title",
            "snapshot__error",
            "snapshot__updated_at",
            "updated_at",
        )
        .order_by("id"),
    )


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description=(
            "Paginated `{count, next, previous, results}`, ordered by id (stable). Sends an "
            "`ETag`; answers 304 to a matching `If-None-Match`. To keep a copy in sync, walk "
            "`claims/sync/` instead."
        ),
        responses={
            200: ClaimSerializer(many=True),
            304: OpenApiResponse(description="Not modified."),
            **errors(400, 401, 403, 404, 429),
        },
    ),
    retrieve=extend_schema(
        summary="One claim with its evidence, publishers, control chains and snapshots",
        description=(
            "Sends `ETag` and `Last-Modified`; answers 304 to a matching `If-None-Match` "
            "(or `If-Modified-Since` when no ETag is sent)."
        ),
        responses={
            200: ClaimDetailSerializer,
            304: OpenApiResponse(description="Not modified."),
            **READ_ERRORS,
        },
    ),
)
class ClaimViewSet(
    ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = ClaimFilter
    pagination_class = ClaimPagination
    object_noun = "claim"
    action_permissions = {
        "default": ("claims.view_claim", "read claims"),
        "evidence": ("claims.add_evidence", "attach evidence"),
        "decision": ("claims.decide_claim", "decide claims"),
        "evidence_retry": ("claims.add_evidence", "retry archiving a source"),
        "evidence_replace": ("claims.add_evidence", "replace a source's URL"),
        "evidence_remove": ("claims.add_evidence", "remove a source"),
    }

    def get_queryset(self) -> QuerySet[Claim]:
        qs = Claim.objects.select_related("article").defer("article__text")
        if self.action in ("list", "retrieve"):
            qs = qs.select_related("materialised").annotate(**read_annotations())
        if self.action == "list":
            qs = qs.defer(*LIST_DEFERRED)
        if self.action == "retrieve":
            qs = qs.prefetch_related(evidence_prefetch())
        if self.action == "claimreview":
            qs = qs.select_related("origin")
        return qs.order_by("id")

    def get_serializer_class(self):
        return ClaimDetailSerializer if self.action == "retrieve" else ClaimSerializer

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = list(self.paginate_queryset(queryset))
        etag = page_etag(
            page, count=self.paginator.page.paginator.count, url=request.get_full_path()
        )
        if etag is not None and (answer := conditional_response(request, etag=etag)):
            return answer  # before the page is built
        ctx = claims_context(page)
        data = [claim_data(c, ctx[c.pk]) for c in page]
        response = self.get_paginated_response(data)
        etag = etag or body_etag(response.data)
        if answer := conditional_response(request, etag=etag):
            return answer
        response["ETag"] = etag
        return response

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        if any(name in request.query_params for name in ClaimFilter.base_filters):
            claim = self.get_object()  # a filter applies to the detail too (DRF's get_object)
        else:  # the claim's rows as plain rows (claims/api/rows.py): no ORM on the hot path
            pk = self.kwargs["pk"]  # digits (the route's regex); over 19 is past any id
            pk = int(pk) if len(pk.lstrip("0")) <= 19 else 0
            conditional = "HTTP_IF_NONE_MATCH" in request.META or (
                "HTTP_IF_MODIFIED_SINCE" in request.META
            )
            if conditional and (stamps := claim_validator(pk)) is not None:
                etag = claim_etag(stamps)  # one statement, no evidence, no body
                answer = etag and conditional_response(
                    request, etag=etag, modified=last_modified(stamps)
                )
                if answer:
                    return answer
            claim = claim_detail(pk)
            if claim is None:
                raise Http404(f"There is no claim with id {self.kwargs['pk']}.")
        ctx = claims_context([claim], prefetched=True)[claim.pk]
        data = claim_data(claim, ctx, with_evidence=True)
        etag = claim_etag(claim) or body_etag(data)
        modified = last_modified(claim)
        if answer := conditional_response(request, etag=etag, modified=modified):
            return answer
        return Response(data, headers=validator_headers(etag=etag, modified=modified))

    @extend_schema(
        summary="Attach a source URL (reviewers, editors)",
        description=(
            "Resolves the publisher from the URL's domain and queues archiving. The same service "
            "the desk uses (claims.services.evidence.evidence_attach). 400 also for an address that can "
            "never be archived (localhost, a private or reserved IP); 409 `already_attached` when "
            "the claim has this URL already."
        ),
        request=EvidenceInputSerializer,
        responses={201: EvidenceSerializer, **errors(400, 401, 403, 404, 409, 413, 415, 429)},
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        payload = EvidenceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evidence = evidence_attach(claim=claim, actor=request.user, **payload.validated_data)
        evidence = Evidence.objects.select_related("snapshot", "claim").get(pk=evidence.pk)
        context = {**self.get_serializer_context(), "claims": ClaimContext.build([evidence.claim])}
        return Response(
            EvidenceSerializer(evidence, context=context).data, status=status.HTTP_201_CREATED
        )

    def _evidence_of(self, claim: Claim, evidence_id: str) -> Evidence:
        ev = (
            Evidence.objects.select_related("snapshot", "claim")
            .filter(pk=int(evidence_id), claim=claim)
            .first()
            if len(evidence_id) <= 19
            else None
        )
        if ev is None:
            raise Http404(f"Claim {claim.pk} has no evidence with id {evidence_id}.")
        return ev

    def _evidence_response(self, evidence_id: int, code: int = status.HTTP_200_OK) -> Response:
        evidence = Evidence.objects.select_related("snapshot", "claim").get(pk=evidence_id)
        context = {**self.get_serializer_context(), "claims": ClaimContext.build([evidence.claim])}
        return Response(EvidenceSerializer(evidence, context=context).data, status=code)

    @extend_schema(
        summary="Retry archiving a source whose archive failed (reviewers, editors)",
        description=(
            "The failed snapshot goes back to `pending` with a fresh set of attempts and is "
            "queued; answers 202 with the evidence (snapshot `pending`). 409 `not_failed` when "
            "the snapshot has not failed (archived, or already queued again). Reviewers act on sources whose archive failed or that they "
            "attached; editors on any. Audited (who, when, the failure it answered). The same "
            "service as the desk's button (claims.services.evidence.evidence_retry_archive)."
        ),
        request=None,
        responses={202: EvidenceSerializer, **errors(401, 403, 404, 409, 429)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"evidence/(?P<evidence_id>[0-9]+)/retry",
        url_name="evidence-retry",
    )
    def evidence_retry(
        self, request: Request, pk: str | None = None, evidence_id: str = ""
    ) -> Response:
        ev = self._evidence_of(self.get_object(), evidence_id)
        evidence_retry_archive(evidence=ev, actor=request.user)
        return self._evidence_response(ev.pk, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Replace a source's URL (reviewers, editors)",
        description=(
            "Checked like a new source (400 for an address that can never be archived, 409 "
            "`already_attached`); the publisher is resolved again and the new URL archived; "
            "stance and excerpt are kept, the old snapshot stays in the archive. Audited with "
            "both URLs and the optional `reason`."
        ),
        request=EvidenceReplaceInputSerializer,
        responses={200: EvidenceSerializer, **errors(400, 401, 403, 404, 409, 413, 415, 429)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"evidence/(?P<evidence_id>[0-9]+)/replace",
        url_name="evidence-replace",
    )
    def evidence_replace(
        self, request: Request, pk: str | None = None, evidence_id: str = ""
    ) -> Response:
        ev = self._evidence_of(self.get_object(), evidence_id)
        payload = EvidenceReplaceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evidence_replace_url(evidence=ev, actor=request.user, **payload.validated_data)
        return self._evidence_response(ev.pk)

    @extend_schema(
        summary="Remove a source from a claim (reviewers, editors)",
        description=(
            "The evidence row goes; the answer is the audit record that keeps its URL, stance, "
            "excerpt and snapshot (which stays in the archive), with the optional `reason`."
        ),
        request=EvidenceRemoveInputSerializer,
        responses={200: EvidenceEventSerializer, **errors(400, 401, 403, 404, 413, 415, 429)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"evidence/(?P<evidence_id>[0-9]+)/remove",
        url_name="evidence-remove",
    )
    def evidence_remove(
        self, request: Request, pk: str | None = None, evidence_id: str = ""
    ) -> Response:
        ev = self._evidence_of(self.get_object(), evidence_id)
        payload = EvidenceRemoveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = evidence_remove(evidence=ev, actor=request.user, **payload.validated_data)
        return Response(EvidenceEventSerializer(event).data)

    @extend_schema(
        summary="Decide a claim's status (reviewers, editors; override: editors)",
        description=(
            "Compare-and-swap on `version`: 409 `version_conflict` when the claim changed since "
            "you read it. A reviewer decides only a claim they hold or one nobody holds (409 "
            "`claim_taken` names the `holder`); editors decide any. A verdict the suggestion "
            "rule does not support is refused with 400 `decision_refused` and the rule's "
            "`reasons`, unless an editor sends `override: true` with a rationale."
        ),
        request=DecisionInputSerializer,
        responses={
            200: ClaimDetailSerializer,
            **errors(400, 401, 403, 404, 409, 413, 415, 429),
        },
    )
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        payload = DecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        claim_set_status(claim=claim, actor=request.user, **payload.validated_data)
        fresh = self.get_queryset().prefetch_related(evidence_prefetch()).get(pk=claim.pk)
        return Response(
            claim_data(fresh, ClaimContext.build([fresh], prefetched=True), with_evidence=True)
        )

    @extend_schema(
        summary="schema.org ClaimReview JSON-LD for a decided claim",
        description="404 while the claim has no verdict (unreviewed, in review).",
        responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 403, 404, 429)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        url = request.build_absolute_uri(reverse("api:claim-claimreview", args=[claim.pk]))
        try:
            return Response(claim_review(claim=claim, url=url, decision=latest_decision(claim)))
        except ClaimReviewUnavailable as exc:
            raise Http404(str(exc)) from None


@extend_schema_view(
    list=extend_schema(
        summary="Sync feed: every claim changed since a time, in cursor pages",
        description=(
            "For large syncs: the same filters as the claims list, ordered by when each claim "
            "last changed (`changed_at`, `id`: a keyset cursor, no count, no offset), "
            "`{next, previous, results}`. Start with `updated_since` = the time of your last "
            "sync (minus a minute of slack) and follow `next` until it is null. Nothing is "
            "skipped while claims change during the walk: a claim changed meanwhile comes again "
            "at the end, in its new state (docs/api.md, Syncing)."
        ),
        responses={200: ClaimSyncSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
)
class ClaimSyncViewSet(ApiView, mixins.ListModelMixin, viewsets.GenericViewSet):
    filterset_class = ClaimFilter
    pagination_class = ClaimChangesPagination
    serializer_class = ClaimSyncSerializer
    action_permissions = {"default": ("claims.view_claim", "read claims")}

    def get_queryset(self) -> QuerySet[Claim]:
        # Only the keys: the page's rows are read by id (claims/api/changes.py).
        return Claim.objects.all()

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        ctx = claims_context(page)
        return self.get_paginated_response([claim_data(c, ctx[c.pk]) for c in page])
