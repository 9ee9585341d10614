"""Signal wiring only: what `sources` announces, and the claims service that answers it; what
claims.services announces, and the report cache that answers it.

`sources` sends the signals and knows nothing of claims; the writes are in claims.services.
Connected once from ClaimsConfig.ready() (`connect`).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from claims.models import Claim
from claims.services.archiving import evidence_flag_vanished, evidence_follow_archived
from claims.services.classification import evidence_resync_publishers
from claims.services.creation import claim_index_figures
from ownership.models import Domain
from sources.models import Snapshot
from sources.signals import snapshot_archived, snapshot_failed

_OLD_DOMAIN = "_reex_domain_before_save"


def on_snapshot_archived(sender, snapshot: Snapshot, **kwargs) -> None:
    evidence_follow_archived(snapshot=snapshot)


def on_snapshot_failed(sender, snapshot: Snapshot, **kwargs) -> None:
    evidence_flag_vanished(snapshot=snapshot)


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


def on_claim_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    """A claim's figures are indexed (claims.models.ClaimFigure) whenever it is saved."""
    claim_index_figures(claim=instance)


def on_domain_deleted(sender, instance: Domain, **kwargs) -> None:
    evidence_resync_publishers(domains=[instance.domain])


def connect() -> None:
    """Archiving outcomes update evidence hints and pointers; domain register edits re-resolve
    the stored publisher of evidence on that domain (docs/verdicts.md)."""
    snapshot_archived.connect(on_snapshot_archived, dispatch_uid="claims-archived")
    snapshot_failed.connect(on_snapshot_failed, dispatch_uid="claims-failed")
    pre_save.connect(on_domain_pre_save, sender=Domain, dispatch_uid="claims-domain-pre-save")
    post_save.connect(on_domain_saved, sender=Domain, dispatch_uid="claims-domain-saved")
    post_delete.connect(on_domain_deleted, sender=Domain, dispatch_uid="claims-domain-deleted")
    post_save.connect(on_claim_saved, sender=Claim, dispatch_uid="claims-claim-figure-index")
    # A decision drops the article's cached public report (claims/views/report.py).
    from claims.signals import claim_status_changed, report_publication_changed
    from claims.views import report

    claim_status_changed.connect(report.on_claim_status_changed, dispatch_uid="claims-report-cache")
    report_publication_changed.connect(
        report.on_report_publication_changed, dispatch_uid="claims-report-cache-publish"
    )
