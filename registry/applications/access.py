"""Access helpers: the only places that decide which applications and registrations a user may see.

Each returns the object or raises Http404, whether the object is missing or not the user's, so the
existence of other people's objects does not leak.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from registry.applications.models import (
    Application,
    ApplicationStatus,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
)
from registry.people.models import Enterprise, Role


def employer_ids_of(user) -> list[int]:
    """Return the enterprises the user operates for."""
    if not user.is_authenticated or user.role != Role.ENTERPRISE:
        return []
    return list(user.operator_roles.values_list("enterprise_id", flat=True))


def applications_visible_to(user) -> QuerySet[Application]:
    """Return the applications a user may open: own, own employer's, or all for reviewers."""
    qs = Application.objects.select_related("person", "employer")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.REVIEWER:
        return qs
    if user.role == Role.APPLICANT:
        person = getattr(user, "person", None)
        return qs.filter(person=person) if person is not None else qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(employer_id__in=employer_ids_of(user)).exclude(status=ApplicationStatus.DRAFT)
    return qs.none()


def get_application_for(user, pk: int) -> Application:
    """Return the application if the user may see it, otherwise raise Http404."""
    try:
        return applications_visible_to(user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_of(user, enterprise: Enterprise | None = None) -> QuerySet[Registration]:
    """Return the active registrations of the enterprises the user operates for."""
    ids = employer_ids_of(user)
    if enterprise is not None:
        ids = [i for i in ids if i == enterprise.pk]
    return (
        Registration.objects.filter(employer_id__in=ids, status=RegistrationStatus.ACTIVE)
        .select_related("person", "employer").prefetch_related("specialties")
    )


def moved_away_from(user, limit: int = 50) -> QuerySet[RegistrationTransition]:
    """Return the changes of employer that took registered staff away from the user's enterprises, newest first.

    One row per move (the registration's log keeps the former employer); a person who has since come back
    to one of these enterprises is on its staff list again and left out here.
    """
    ids = employer_ids_of(user)
    if not ids:
        return RegistrationTransition.objects.none()
    return (
        RegistrationTransition.objects.filter(action="changed_employer", details__from_employer_id__in=ids)
        .exclude(registration__employer_id__in=ids)
        .select_related("registration__person").order_by("-at", "-pk")[:limit]
    )


def get_staff_registration_for(user, pk: int) -> Registration:
    try:
        return staff_of(user).get(pk=pk)
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
