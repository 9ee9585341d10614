"""The vetting report's publication (issue 12)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from claims.models import Article
from claims.signals import report_publication_changed

# --- The vetting report's publication (issue 12) ----------------------------------------------

PUBLISH_REPORT = "claims.publish_report"


def article_set_report_published(*, article, published: bool, actor: AbstractBaseUser) -> bool:
    """Publish (or withdraw) the article's vetting report: anonymous readers see it read-only
    at its report URL once published; before that it is a 404 for them. Only users with
    `claims.publish_report` (the editor group) may. Returns whether anything changed: a
    compare-and-swap on the flag, so of two editors clicking at once one records it."""
    if not (actor.is_active and actor.has_perm(PUBLISH_REPORT)):
        raise PermissionDenied("Only editors may publish or withdraw a vetting report.")
    changed = (
        Article.objects.filter(pk=article.pk)
        .exclude(report_published=published)
        .update(
            report_published=published,
            report_published_at=timezone.now() if published else None,
            report_published_by=actor if published else None,
            updated_at=timezone.now(),
        )
    )
    article.refresh_from_db(
        fields=["report_published", "report_published_at", "report_published_by", "updated_at"]
    )
    if changed:

        def announce() -> None:
            report_publication_changed.send(sender=Article, article_id=article.pk)

        announce()
        transaction.on_commit(announce, robust=True)
    return bool(changed)
