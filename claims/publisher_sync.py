"""Evidence follows the domain register: when an editor adds, changes or deletes a
`sources.Domain`, the stored publisher of every evidence URL on that domain (or a subdomain of
it) is resolved again, so the next suggestion uses the corrected owner (docs/verdicts.md).

`Evidence.publisher` is stored at attach time (claims.services.evidence_attach); without this a
domain wrongly registered to an independent entity would keep counting as independent after
an editor moved it to the state outlet that really runs it.

Connected in ClaimsConfig.ready() to Django's pre_save / post_save / post_delete of
`sources.models.Domain` (sources knows nothing of claims). Runs in the saving transaction.
Bulk `Domain.objects.filter(...).update(...)` sends no signals and is not followed: edit
domains through the admin or `save()`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from claims.materialised import suggestions_refresh
from claims.models import Claim, Evidence
from sources.models import Domain
from sources.publishers import _to_ascii, _to_unicode, candidate_domains, publisher_ids_for_urls

_OLD_DOMAIN = "_reex_domain_before_save"


def _spellings(domain: str) -> tuple[str, str]:
    """(Unicode, ASCII/punycode) forms of a domain as stored or typed."""
    domain = domain.strip().lower().rstrip(".")
    return _to_unicode(domain), _to_ascii(_to_unicode(domain))


def evidence_on_domains(*, domains: Iterable[str], unknown_only: bool = False) -> list[Evidence]:
    """Evidence rows (id, claim_id, url, publisher_id loaded) whose URL host is one of
    `domains` or a subdomain of one, in id order. One query: candidates are filtered in SQL
    (`url` contains the domain, Unicode or punycode), then confirmed in Python against the
    URL's host (sources.publishers.candidate_domains), so `notnews.cn` or `news.cn.example.com`
    never match `news.cn`. `unknown_only`: only rows whose publisher is still empty."""
    wanted = {form for d in domains if d.strip() for form in _spellings(d)}
    if not wanted:
        return []
    match = Q()
    for form in sorted(wanted):
        match |= Q(url__icontains=form)
    qs = Evidence.objects.filter(match)
    if unknown_only:
        qs = qs.filter(publisher__isnull=True)
    unicode_forms = {_to_unicode(form) for form in wanted}
    return [
        e
        for e in qs.order_by("id").only("id", "claim_id", "url", "publisher_id")
        if unicode_forms.intersection(candidate_domains(e.url))
    ]


def evidence_resync_publishers(*, domains: Iterable[str]) -> int:
    """Resolve again the publisher of every evidence URL on `domains` (and their subdomains)
    as `sources.publishers.publisher_for_url` does, write the rows whose publisher changed, and
    bump their `updated_at` and their claims' `updated_at` (API ETags and `updated_since`
    follow). One lookup for all the rows (`publisher_ids_for_urls`). Returns how many rows
    changed."""
    rows = evidence_on_domains(domains=domains)
    if not rows:
        return 0
    resolved = publisher_ids_for_urls(e.url for e in rows)
    changed: dict[int | None, list[int]] = {}
    claim_ids: set[int] = set()
    for e in rows:
        new = resolved.get(e.url)
        if new != e.publisher_id:
            changed.setdefault(new, []).append(e.pk)
            claim_ids.add(e.claim_id)
    if not changed:
        return 0
    now = timezone.now()
    n = 0
    for publisher_id, ids in changed.items():
        n += Evidence.objects.filter(pk__in=ids).update(publisher_id=publisher_id, updated_at=now)
    Claim.objects.filter(pk__in=claim_ids).update(updated_at=now)
    suggestions_refresh(claim_ids)
    # Requests to classify these rows are answered now (the editor who saved the domain is not
    # known here: the signal carries no user).
    from claims.services import classification_requests_resolve

    classification_requests_resolve(evidence_ids=[i for ids in changed.values() for i in ids])
    return n


# --------------------------------------------------------------------------- receivers


def on_domain_pre_save(sender, instance: Domain, raw: bool = False, **kwargs) -> None:
    """Remember the stored domain string before an edit, so evidence on the old spelling is
    resolved again too (the domain text itself may have been corrected)."""
    old = None
    if instance.pk is not None:
        old = Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
    setattr(instance, _OLD_DOMAIN, old)


def on_domain_saved(sender, instance: Domain, raw: bool = False, **kwargs) -> None:
    domains = {instance.domain}
    old = getattr(instance, _OLD_DOMAIN, None)
    if old:
        domains.add(old)
    evidence_resync_publishers(domains=domains)


def on_domain_deleted(sender, instance: Domain, **kwargs) -> None:
    evidence_resync_publishers(domains=[instance.domain])


def connect_domain_receivers() -> None:
    """Called once from ClaimsConfig.ready()."""
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(on_domain_pre_save, sender=Domain, dispatch_uid="claims-domain-pre-save")
    post_save.connect(on_domain_saved, sender=Domain, dispatch_uid="claims-domain-saved")
    post_delete.connect(on_domain_deleted, sender=Domain, dispatch_uid="claims-domain-deleted")
