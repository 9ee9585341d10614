"""The querysets and managers of the claims models, and `ChangedNow`, the database's clock
that marks a claim changed (`Claim.changed_at`, `ClaimQuerySet.touch`)."""

from __future__ import annotations

from django.contrib.auth.models import UserManager
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


class ChangedNow(Now):
    """The database's clock for `Claim.changed_at`: PostgreSQL's statement time; on SQLite the
    same text Django writes for a datetime (six decimals, where SQLite's own gives three and
    would compare below the same instant written by Django, as in a cursor)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="STRFTIME('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%f000', 'NOW')",  # as Django's
            **extra_context,
        )


class ClaimQuerySet(models.QuerySet):
    def for_list(self) -> ClaimQuerySet:
        """What every claim list and claim page shows beside the claim: one query."""
        return self.select_related("article", "origin", "assignee")

    def touch(self, *, row: bool = True, **fields) -> int:
        """UPDATE these claims with `fields` (none: only the marks) and mark them changed:
        `changed_at` the database's now (what the sync feed's horizon relies on) and, for a
        change of the claim's own row or evidence, `updated_at` now too (unless given). `row=False`:
        only what the API shows of it changed (claims.materialised). The number of rows."""
        if row:
            fields.setdefault("updated_at", timezone.now())
        return self.update(changed_at=ChangedNow(), **fields)


class ClassificationRequestQuerySet(models.QuerySet):
    def open(self) -> ClassificationRequestQuerySet:
        return self.filter(resolved_at__isnull=True)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("Audit rows are append-only: they cannot be updated.")

    def delete(self):  # type: ignore[override]
        raise PermissionError("Audit rows are append-only: they cannot be deleted.")


API_CONSUMER_GROUP = "api-consumer"


class ApiConsumerManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(groups__name=API_CONSUMER_GROUP).distinct()
