"""Access helpers: the only places that decide which certificates a user may see.

A certificate that is missing or not the user's answers 404 alike, so existence does not leak.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from registry.certificates.models import Certificate
from registry.people.models import Role


def certificates_of(user) -> QuerySet[Certificate]:
    """Return the certificates of the signed-in holder (none for anyone else)."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None or user.role != Role.APPLICANT:
        return Certificate.objects.none()
    return Certificate.objects.filter(person=person)


def get_certificate_for(user, pk) -> Certificate:
    """Return the holder's certificate, or raise Http404."""
    try:
        return certificates_of(user).select_related("supersedes").get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
