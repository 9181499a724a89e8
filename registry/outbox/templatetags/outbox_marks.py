"""The "needs action" marks: the applications for which the user has a notice whose duty is still open."""

from __future__ import annotations

from django import template
from django.db.models import F

from registry.outbox.models import Notice

register = template.Library()


@register.simple_tag
def needs_action(user) -> set[int]:
    """Return the pks of applications still in the status a notice to this user asked to act on (one query)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Notice.objects.filter(user=user, application__status=F("open_while_status"))
               .exclude(open_while_status="").values_list("application_id", flat=True))


@register.simple_tag
def recent_notices(user, limit: int = 5) -> list[Notice]:
    """Return the user's latest notices, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Notice.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])
