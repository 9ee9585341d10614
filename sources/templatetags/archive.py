"""`{% load archive %}{% archive_content_url snapshot as url %}`: where to frame an archived body."""

from django import template

from sources.views import content_url

register = template.Library()


@register.simple_tag(takes_context=True)
def archive_content_url(context, snapshot) -> str:
    request = context.get("request")
    return content_url(snapshot, user=getattr(request, "user", None))
