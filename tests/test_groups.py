"""Least privilege per group, as the data migration creates them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def perms(name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


def test_the_three_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "editor",
        "reviewer",
        "api-consumer",
    }


def test_api_consumers_only_read():
    granted = perms("api-consumer")
    assert granted
    assert all(p.split(".")[1].startswith("view_") for p in granted)


def test_reviewers_attach_and_decide_but_never_edit_or_override():
    granted = perms("reviewer")
    assert {"claims.add_evidence", "claims.decide_claim"} <= granted
    assert "claims.override_decision" not in granted
    assert not any(p.split(".")[1].startswith(("change_", "delete_")) for p in granted)


def test_only_editors_override_and_nobody_deletes_claims_or_audit_rows():
    assert "claims.override_decision" in perms("editor")
    for group in ("editor", "reviewer", "api-consumer"):
        granted = perms(group)
        assert "claims.delete_claim" not in granted
        assert "claims.delete_evidence" not in granted
        assert not {"claims.change_statuschange", "claims.delete_statuschange"} & granted


def test_user_permissions_follow_groups(editor, reviewer, consumer):
    assert editor.has_perm("claims.override_decision")
    assert reviewer.has_perm("claims.decide_claim") and not reviewer.has_perm(
        "claims.override_decision"
    )
    assert consumer.has_perm("claims.view_claim") and not consumer.has_perm("claims.add_evidence")
