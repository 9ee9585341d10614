"""Query filters for the claims list and the sync feed. Invalid values answer 400 with the
field's message; nothing a client sends reaches the database unchecked."""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from claims.models import Claim
from plumbing.api import text_filter

MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Claim.Status.choices, help_text="Only claims in this status."
    )
    article = IdFilter(field_name="article_id", help_text="Only claims of this article (id).")
    origin = IdFilter(field_name="origin_id", help_text="Only claims asserted by this entity (id).")
    q = text_filter(
        method="filter_q", max_length=200, help_text="Words in the claim's text or restatement."
    )
    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text=(
            "ISO 8601 date-time. Claims that changed at or after it: their status, version, "
            "evidence, an evidence snapshot (archived, failed) or their suggestion."
        ),
    )

    class Meta:
        model = Claim
        fields = ["status", "article", "origin", "q", "updated_since"]

    def filter_q(self, queryset: QuerySet[Claim], name: str, value: str) -> QuerySet[Claim]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(text__icontains=value) | Q(restatement__icontains=value))

    def filter_updated_since(
        self, queryset: QuerySet[Claim], name: str, value: datetime
    ) -> QuerySet[Claim]:
        try:
            since = value.astimezone(UTC)  # years 1 and 9999 with an offset overflow here
        except (OverflowError, ValueError):
            raise ValidationError({"updated_since": "That date-time is out of range."}) from None
        # `changed_at` is touched by every write that changes what the API shows of a claim
        # (its row, evidence, snapshots, stored suggestion): one range of its index.
        return queryset.filter(changed_at__gte=since)
