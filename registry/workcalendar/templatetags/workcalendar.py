"""Template helper: ``{% load workcalendar %}{% calendar_notice start due as notice %}``."""

from __future__ import annotations

from datetime import date

from django import template

from registry.workcalendar import services

register = template.Library()


@register.simple_tag
def calendar_notice(*dates: date | None) -> str:
    """Return the notice for dates touching a year without a published calendar, or an empty string."""
    return services.calendar_notice(*[d for d in dates if d is not None]) or ""
