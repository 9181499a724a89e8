"""Template filter for the holder's check statistics: a channel's count, zero when absent."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_count(counts: dict, code: str) -> int:
    return counts.get(code, 0)
