"""Access helpers: every fetch of a person or enterprise goes through here.

Another party's object answers 404 exactly like a missing one, so existence never leaks (and a page of
another role answers 404 too: ``registry.roles.require_role``). Role and district scoping live here and
nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from registry import clock
from registry.people.models import Enterprise, EnterpriseOperator, Person, Role

# Roles that may open any person's record (and every opening is logged as personal-data access).
STAFF_ROLES = {Role.REVIEWER, Role.SERVICE_CENTRE, Role.ADMIN}
SESSION_AUTH_AT = "auth_at"


def has_role(user, *roles: str) -> bool:
    """Return whether the user is signed in, active and holds one of the roles."""
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def persons_visible_to(user) -> QuerySet[Person]:
    """Return the persons a user may open: their own, or all for reviewers, service centre and admins."""
    if not (user and user.is_authenticated and user.is_active):
        return Person.objects.none()
    if user.role in STAFF_ROLES:
        return Person.objects.all()
    if user.role == Role.APPLICANT:
        return Person.objects.filter(user=user)
    return Person.objects.none()


def get_person_for(user, pk) -> Person:
    """Return the person with this pk if the user may open it, else raise Http404."""
    return get_object_or_404(persons_visible_to(user), pk=pk)


def person_of(user) -> Person:
    """Return the signed-in applicant's own Person, or raise Http404."""
    person = Person.objects.filter(user=user).first() if user.is_authenticated else None
    if person is None:
        raise Http404
    return person


def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    """Return the enterprises a user may open.

    Reviewers and admins: all. District officers: those registered in their district. Enterprise
    accounts: those they operate. Everyone else: none.
    """
    if not (user and user.is_authenticated and user.is_active):
        return Enterprise.objects.none()
    if user.role in {Role.REVIEWER, Role.ADMIN}:
        return Enterprise.objects.all()
    if user.role == Role.DISTRICT:
        return Enterprise.objects.filter(district=user.district) if user.district else Enterprise.objects.none()
    if user.role == Role.ENTERPRISE:
        return Enterprise.objects.filter(operators__user=user).distinct()
    return Enterprise.objects.none()


def get_enterprise_for(user, pk) -> Enterprise:
    """Return the enterprise with this pk if the user may open it, else raise Http404."""
    return get_object_or_404(enterprises_visible_to(user), pk=pk)


def operator_link(user, enterprise: Enterprise) -> EnterpriseOperator | None:
    """Return the user's operator link to an authenticated enterprise, or None."""
    if not has_role(user, Role.ENTERPRISE) or not enterprise.is_authenticated_employer:
        return None
    return EnterpriseOperator.objects.filter(user=user, enterprise=enterprise).first()


def can_confirm_for(user, enterprise: Enterprise) -> bool:
    """Return whether the user may confirm applications on behalf of the (authenticated) enterprise."""
    link = operator_link(user, enterprise)
    return bool(link and link.can_confirm)


def operated_enterprises(user, *, confirming: bool = False) -> QuerySet[Enterprise]:
    """Return the authenticated enterprises the user operates (only those it may confirm for, if asked)."""
    if not has_role(user, Role.ENTERPRISE):
        return Enterprise.objects.none()
    links = EnterpriseOperator.objects.filter(user=user)
    if confirming:
        links = links.filter(can_confirm=True)
    return Enterprise.objects.filter(pk__in=links.values("enterprise"), auth_state="authenticated")


def mark_authenticated_now(request) -> None:
    """Record in the session that the user has just proved who they are."""
    request.session[SESSION_AUTH_AT] = int(clock.timestamp())


def auth_age(request) -> float:
    """Return seconds since the user last signed in (infinite when unknown)."""
    at = request.session.get(SESSION_AUTH_AT)
    return clock.timestamp() - at if at else float("inf")


def _return_path(request) -> str:
    """Return where to come back after signing in again: this page, or for a form post the page it came from."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return "/"


def require_recent_auth(max_age_seconds: int | None = None) -> Callable:
    """Decorate a sensitive view: a sign-in older than max_age_seconds sends the user to sign in again.

    The sign-in page receives ``next`` so the user comes back to the same page afterwards.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit = max_age_seconds if max_age_seconds is not None else settings.REAUTH_MAX_AGE_SECONDS
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if auth_age(request) > limit:
                messages.warning(request, _("为确认是您本人操作，请重新登录后继续。"))
                query = urlencode({"next": _return_path(request), "reauth": "1"})
                return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def roles_display(roles: Iterable[str]) -> str:
    """Return the roles' labels joined for a message."""
    return "、".join(str(Role(role).label) for role in roles)
