"""API representations (output) and input serializers for the actions.

Output serializers read control chains and suggestions from a `ClaimContext` passed as
`context["claims"]` (claims/api/presenters.py), so a page of claims or a claim with hundreds of
evidence rows costs the same number of queries. Their declared fields are the OpenAPI schema;
their `to_representation` hands over to the plain-dict builders in claims/api/presenters.py,
which write the same JSON several times faster (tests/test_api_presenters.py compares the two). Input serializers only validate: the views hand
their data to claims.services, which alone changes state.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.api.presenters import ClaimContext, claim_data, evidence_data
from claims.models import (
    EXCERPT_MAX_LENGTH,
    RATIONALE_MAX_LENGTH,
    Article,
    Claim,
    Evidence,
    EvidenceEvent,
)
from sources.models import Snapshot

MAX_INT = 2_147_483_647


# --- shapes shared with sources/api -----------------------------------------------------------
class EntityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2; empty for international bodies.")


class ChainLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ControlledEntitySerializer(EntityRefSerializer):
    """An entity with its control resolution (read-only; built by ClaimContext.entity)."""

    state_controlled = serializers.BooleanField(
        help_text="One of its ultimate controllers is a state (or its chain passes a government body)."
    )
    controllers = EntityRefSerializer(many=True, help_text="Its ultimate controllers.")
    chain = serializers.ListField(
        child=ChainLinkSerializer(many=True),
        help_text="Each path of controlling ownership, from the entity (first) up to a controller.",
    )
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="Data facts (cycles, gaps)."
    )


# --- claims -----------------------------------------------------------------------------------
class ArticleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "key", "title", "url", "published_on"]


class SnapshotBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Snapshot
        fields = ["id", "status", "sha256", "archived_at", "title", "error"]


class AssessmentSerializer(serializers.Serializer):
    counts = serializers.BooleanField(help_text="It counted toward the suggestion.")
    badge = serializers.CharField(
        help_text="independent, same_group, unknown, not_archived, echo, refutes or context."
    )
    group_label = serializers.CharField(help_text="Its publisher's ultimate controllers, by name.")
    why = serializers.CharField()


class EvidenceSerializer(serializers.ModelSerializer):
    publisher = serializers.SerializerMethodField()
    independent = serializers.SerializerMethodField()
    snapshot = SnapshotBriefSerializer(allow_null=True, read_only=True)
    assessment = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "url",
            "stance",
            "excerpt",
            "publisher",
            "independent",
            "snapshot",
            "assessment",
            "created_at",
        ]

    def _ctx(self) -> ClaimContext:
        return self.context["claims"]

    def to_representation(self, instance: Evidence) -> dict[str, Any]:
        return evidence_data(instance, self._ctx(), origin_id=instance.claim.origin_id)

    def _publisher_id(self, obj: Evidence) -> int | None:
        return self._ctx().publishers.get(obj.pk, obj.publisher_id)

    @extend_schema_field(ControlledEntitySerializer(allow_null=True))
    def get_publisher(self, obj: Evidence) -> dict[str, Any] | None:
        pid = self._publisher_id(obj)
        return self._ctx().entity(pid) if pid is not None else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_independent(self, obj: Evidence) -> bool | None:
        """Whether the publisher's ultimate controllers are disjoint from the origin's (null:
        unknown publisher)."""
        return self._ctx().independent(
            origin_id=obj.claim.origin_id, publisher_id=self._publisher_id(obj)
        )

    @extend_schema_field(AssessmentSerializer(allow_null=True))
    def get_assessment(self, obj: Evidence) -> dict[str, Any] | None:
        suggestion = self._ctx().suggestions.get(obj.claim_id)
        found = suggestion.assessments.get(obj.pk) if suggestion else None
        if found is None:
            return None
        return {
            "counts": found.counts,
            "badge": found.badge,
            "group_label": found.group_label,
            "why": found.why,
        }


class ClaimSerializer(serializers.ModelSerializer):
    """A claim as list pages show it: everything but its evidence."""

    with_evidence = False

    article = ArticleRefSerializer(read_only=True)
    origin = serializers.SerializerMethodField()
    suggested_status = serializers.SerializerMethodField()
    suggestion_reasons = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "key",
            "text",
            "restatement",
            "kind",
            "figures",
            "status",
            "suggested_status",
            "suggestion_reasons",
            "origin",
            "version",
            "created_at",
            "updated_at",
        ]

    def _ctx(self) -> ClaimContext:
        return self.context["claims"]

    def to_representation(self, instance: Claim) -> dict[str, Any]:
        return claim_data(instance, self._ctx(), with_evidence=self.with_evidence)

    @extend_schema_field(ControlledEntitySerializer)
    def get_origin(self, obj: Claim) -> dict[str, Any]:
        return self._ctx().entity(obj.origin_id)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Claim.Status.choices,
            allow_null=True,
            help_text="What the suggestion rule says (null: no suggestion yet, needs sources).",
        )
    )
    def get_suggested_status(self, obj: Claim) -> str | None:
        suggestion = self._ctx().suggestions.get(obj.pk)
        return suggestion.status if suggestion else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_suggestion_reasons(self, obj: Claim) -> list[str]:
        suggestion = self._ctx().suggestions.get(obj.pk)
        return list(suggestion.reasons) if suggestion else []


class ClaimDetailSerializer(ClaimSerializer):
    with_evidence = True
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "evidence"]


class ClaimSyncSerializer(ClaimSerializer):
    """The same shape as ClaimSerializer (a name of its own for the sync feed's schema)."""


# --- action inputs ----------------------------------------------------------------------------
# JSON types as the schema states them: DRF's own fields also take 0 for false, 7 for "7" and
# "3" for 3, which a client reading the schema would not expect to work.
class TextField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


#: What the API takes as a source address, as the schema states it: http(s), a host, no spaces
#: or control characters. Whether the address can be archived (a public host, not localhost or
#: a private IP) is the service's rule, answered 400 with its reason (documented on the endpoint).
WEB_ADDRESS_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@:]+"
# RFC 3986 (what `format: uri` means): http(s), an authority, then path, query and fragment of
# URI characters only. An address with other characters (spaces, non-ASCII) must be sent
# percent-encoded, as browsers do.
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_RFC3986_HTTP = re.compile(
    rf"[Hh][Tt][Tt][Pp][Ss]?://"
    rf"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|{_PCT})*@)?"  # userinfo
    rf"(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|{_PCT})*)"  # host
    rf"(?::[0-9]*)?"  # port
    rf"(?:/{_PCHAR}*)*"  # path
    rf"(?:\?(?:{_PCHAR}|[/?])*)?"  # query
    rf"(?:#(?:{_PCHAR}|[/?])*)?"  # fragment
)


@extend_schema_field(
    {"type": "string", "format": "uri", "pattern": WEB_ADDRESS_PATTERN, "maxLength": 2000}
)
class WebAddressField(TextField):
    default_error_messages = {
        "invalid": (
            "Enter a web address starting with http:// or https:// and a host name, with "
            "spaces and other special characters percent-encoded (%20)."
        )
    }

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not re.match(WEB_ADDRESS_PATTERN, value) or not _RFC3986_HTTP.fullmatch(value):
            self.fail("invalid")
        return value


class EvidenceInputSerializer(serializers.Serializer):
    url = WebAddressField(max_length=2000, help_text="The source's web address (http or https).")
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices)
    excerpt = TextField(
        max_length=EXCERPT_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text="The passage that matters (optional).",
    )


class EvidenceReplaceInputSerializer(serializers.Serializer):
    url = WebAddressField(max_length=2000, help_text="The new web address (http or https).")
    reason = TextField(
        max_length=RATIONALE_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text="Why (kept in the audit trail; optional).",
    )


class EvidenceRemoveInputSerializer(serializers.Serializer):
    reason = TextField(
        max_length=RATIONALE_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text="Why (kept in the audit trail; optional).",
    )


class EvidenceEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceEvent
        fields = [
            "id",
            "claim",
            "evidence_id",
            "action",
            "url",
            "new_url",
            "reason",
            "actor",
            "created_at",
        ]

    def get_actor(self, obj: EvidenceEvent) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


@extend_schema_field({"type": "string", "minLength": 1, "pattern": r"\S"})
class RationaleField(TextField):
    """Required, not blank once trimmed: the schema states it as a pattern (some character
    that is not whitespace) so clients and fuzzers know the rule before they send."""


class DecisionInputSerializer(serializers.Serializer):
    # A decision sets a verdict, or (editors) reopens a claim into review; "unreviewed" is never
    # a decision.
    status = serializers.ChoiceField(
        choices=[c for c in Claim.Status.choices if c[0] != Claim.Status.UNREVIEWED]
    )
    # Required here although the service lets a system move into review go without one: every
    # decision through the API is a person's, and a verdict, a reopening and an override all
    # need a reason (the schema says so: required, with a non-space character).
    rationale = RationaleField(
        max_length=RATIONALE_MAX_LENGTH,
        help_text="Why: which sources, what they show. Required (not only spaces).",
    )
    version = StrictIntegerField(
        min_value=1,
        max_value=MAX_INT,
        help_text="The claim's version you read; 409 if it changed since.",
    )
    override = StrictBooleanField(
        default=False, help_text="Editors only: set a verdict the suggestion rule refuses."
    )
