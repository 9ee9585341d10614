"""Admin helpers both apps use: links between related objects."""

from __future__ import annotations

from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html


def admin_url(obj: Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def admin_link(obj: Model | None, label: str | None = None) -> str:
    """A link to an object's admin change page ("-" for None)."""
    if obj is None:
        return "-"
    return format_html(
        '<a href="{}">{}</a>', admin_url(obj), label if label is not None else str(obj)
    )
