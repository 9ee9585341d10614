"""`?domain=` on the entities list: the publisher behind a domain, as evidence resolves it."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from ownership.models import Entity
from ownership.selectors import entity_for_domain
from plumbing.api import text_filter


class EntityFilter(django_filters.FilterSet):
    domain = text_filter(
        method="filter_domain",
        max_length=253,
        help_text=(
            "A domain or URL (xinhuanet.com, www.xinhuanet.com, https://english.news.cn/...): "
            "the entity publishing there, most specific registered domain first."
        ),
    )

    class Meta:
        model = Entity
        fields = ["domain"]

    def filter_domain(self, queryset: QuerySet[Entity], name: str, value: str) -> QuerySet[Entity]:
        if not value.strip():
            return queryset
        publisher = entity_for_domain(domain=value)
        return queryset.filter(pk=publisher.pk) if publisher is not None else queryset.none()
