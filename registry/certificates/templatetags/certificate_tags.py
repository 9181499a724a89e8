"""Template tags other apps' pages load to show certificates, so those apps never import this one."""

from __future__ import annotations

from django import template

from registry.certificates.models import Certificate

register = template.Library()


@register.simple_tag
def certificate_for_application(application) -> Certificate | None:
    """Return the certificate issued for an application's approval or partial cancellation, if any."""
    keys = [f"approved:{application.pk}", f"specialties_cancelled:{application.pk}"]
    return Certificate.objects.filter(idempotency_key__in=keys).first()
