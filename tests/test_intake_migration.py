"""ClaimProposal moved from `claims` to `intake` (issue 27) on a database that already had
proposals: the rows stay, the content type is relabelled, and the editor group keeps its
rights on proposals (DESIGN.md's group contract) - checked by migrating a real database back
to before the move and forward again."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from intake.models import ClaimProposal
from tests.factories import ArticleFactory, ensure_groups

BEFORE = [("claims", "0014_merge_20261203_0714"), ("intake", None)]
PROPOSAL_RIGHTS = {
    "view_claimproposal",
    "add_claimproposal",
    "change_claimproposal",
    "delete_claimproposal",
}


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    # Every app's leaf: going back to claims 0014 also undid what depends on it (the ownership
    # move), and a later test needs the whole schema back.
    return executor.loader.graph.leaf_nodes()


def editor_rights(app_label: str) -> set[str]:
    return set(
        Group.objects.get(name="editor")
        .permissions.filter(content_type__app_label=app_label, codename__in=PROPOSAL_RIGHTS)
        .values_list("codename", flat=True)
    )


@pytest.mark.django_db
def test_after_migrate_editors_hold_the_proposal_rights_under_intake(editor):
    assert editor_rights("intake") == PROPOSAL_RIGHTS
    assert not ContentType.objects.filter(app_label="claims", model="claimproposal").exists()
    assert editor.has_perm("intake.change_claimproposal")


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_proposals_and_the_editors_rights():
    ensure_groups()  # a transactional test before this one may have flushed them
    article = ArticleFactory()
    migrate(BEFORE)
    try:
        # As a database from before the move looks: the content type is claims', the table
        # claims_claimproposal holds a proposal an editor already decided on.
        old = ContentType.objects.get(app_label="claims", model="claimproposal")
        assert editor_rights("claims") == PROPOSAL_RIGHTS
        ids = {p.codename: p.pk for p in Permission.objects.filter(content_type=old)}
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO claims_claimproposal (article_id, span_start, span_end, text, "
                "restatement, kind, figures, score, reasons, origin_kind, origin_phrase, "
                "fingerprint, match_reason, status, created_at) VALUES (%s, 0, 5, 'Hello', '', "
                "'figure', '[]', 0.5, '[]', 'own_voice', '', 'f1', '', 'rejected', "
                "CURRENT_TIMESTAMP)",
                [article.pk],
            )
    finally:
        migrate(latest())
    moved = ContentType.objects.get(app_label="intake", model="claimproposal")
    assert moved.pk == old.pk  # the same row, relabelled: admin history and grants follow
    assert {p.codename: p.pk for p in Permission.objects.filter(content_type=moved)} == ids
    assert editor_rights("intake") == PROPOSAL_RIGHTS
    kept = ClaimProposal.objects.get(article=article)
    assert (kept.text, kept.status) == ("Hello", ClaimProposal.Status.REJECTED)
