"""Who may do what through the API, by Django model permission (the groups hold them):
api-consumer reads; reviewer and editor also attach evidence and decide; only editors override
(the service enforces that one, as it does for the desk and the admin)."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class ActionPermission(BasePermission):
    """The view names, per action, the permissions needed and what to say when one is missing:
    `action_permissions = {"list": ("claims.view_claim", "read claims"), ...}`. An action the
    view does not name falls back to its "default" entry."""

    message = "Your account may not do this."

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 with the token scheme in WWW-Authenticate
        table: dict[str, tuple[str, str]] = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None) or "default"
        perm, what = table.get(action) or table["default"]
        load_permissions(user)
        if user.has_perm(perm):
            return True
        self.message = (
            f"Your account ({user.get_username()}) may not {what}: that needs the "
            f"{perm.split('.', 1)[1].replace('_', ' ')} permission, which the "
            "reviewer and editor groups have. Ask an editor if you need it."
            if perm in WRITE_PERMS
            else f"Your account ({user.get_username()}) may not {what}: ask an editor to add it "
            "to the api-consumer group."
        )
        return False


WRITE_PERMS = frozenset({"claims.add_evidence", "claims.decide_claim"})


def load_permissions(user) -> None:
    """Fill the permission cache Django's ModelBackend keeps on the user object (`_perm_cache`:
    the user's own permissions and its groups') with ONE query instead of the backend's two. The
    same set the backend would compute (tests/test_api_freshness.py compares them); superusers
    and inactive users are left to the backend (it answers them without a query)."""
    if hasattr(user, "_perm_cache") or user.is_superuser or not user.is_active:
        return
    with connection.cursor() as cursor:
        cursor.execute(_permissions_sql(), [user.pk, user.pk])
        user._perm_cache = {f"{app}.{codename}" for app, codename in cursor.fetchall()}


def permissions_from_row(user, codenames) -> None:
    """Fill `_perm_cache` from the permissions `permissions_subquery_sql` read in the same
    query as the user (the token check does), with what `load_permissions` would read; the
    same exceptions (superusers, inactive users: left to the backend)."""
    if hasattr(user, "_perm_cache") or user.is_superuser or not user.is_active:
        return
    if isinstance(codenames, str):  # SQLite: group_concat, one a line
        codenames = codenames.split("\n") if codenames else []
    user._perm_cache = set(codenames or ())


@functools.cache
def permissions_subquery_sql(user_ref: str) -> str:
    """A scalar subquery for the permissions (`app_label.codename`) of the user whose id is the
    column `user_ref`: the same set as `_permissions_sql`, aggregated into one value (an array
    on PostgreSQL, lines on SQLite), so the token check reads them in its own query."""
    agg = (
        "array_agg(ct.app_label || '.' || p.codename)"
        if connection.vendor == "postgresql"
        else "group_concat(ct.app_label || '.' || p.codename, char(10))"
    )
    return f"(SELECT {agg} {_permissions_from(user_ref)})"


@functools.cache
def _permissions_sql() -> str:
    """Built once the apps are loaded: table names only, no input."""
    return f"SELECT ct.app_label, p.codename {_permissions_from('%s')}"


def _permissions_from(user_ref: str) -> str:
    """FROM … WHERE for the permissions of the user `user_ref` (a placeholder or a column)."""
    user_model = get_user_model()
    own = user_model._meta.get_field("user_permissions").remote_field.through._meta.db_table
    member = user_model._meta.get_field("groups").remote_field.through._meta.db_table
    granted = Group.permissions.through._meta.db_table
    return (
        f"FROM {Permission._meta.db_table} p "  # noqa: S608 (table names and a column)
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {own} WHERE user_id = {user_ref} "
        f"UNION ALL SELECT g.permission_id FROM {granted} g JOIN {member} m "
        f"ON m.group_id = g.group_id WHERE m.user_id = {user_ref})"
    )
