"""Malformed values at every page, signed in as each role: never a 500.

The URL conf is walked; each page is opened with its path numbers pointing at real objects (and at
absurd ones), then every query parameter the code reads and every field its form shows is sent with
hostile values (NUL, 100,000 characters, invalid UTF-8, huge and negative numbers, dates out of range),
by GET and by POST. Bounded: one request per value and method, all fields at once.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from registry.applications.tests.conftest import at, under_review
from registry.people.models import EnterpriseAuthentication, Role, User

HOSTILE = ["\x00", "x" * 100_000, "9" * 40, "-1", "0001-01-01", "9999-12-31", "<script>alert(1)</script>"]
INVALID_UTF8 = b"%FF%FE%C3%28"
# Parameters the views read by hand (request.GET / request.POST), beside those their forms show.
READ_BY_HAND = ["next", "page", "purpose", "result", "state", "stay", "tab", "action", "operator", "note",
                "challenge", "certificate", "signature", "return_to", "lock", "identity", "code", "error",
                "date_from", "date_to", "actor", "ip"]
SKIPPED_PREFIXES = ("admin/", "static/")


def patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    """Return (route, pattern) of every URL of the conf."""
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += patterns(entry, route)
        else:
            found.append((route, entry))
    return found


def concrete(route: str, numbers: dict[str, int]) -> list[str]:
    """Return paths for a route: its numbers pointing at real objects, and at an absurd one."""
    route = route.lstrip("^").rstrip("$")
    real = re.sub(r"<int:(\w+)>", lambda m: str(numbers.get(m.group(1), 1)), route)
    real = re.sub(r"<slug:\w+>", "licence", real)
    real = re.sub(r"<(?:str:)?\w+>", "K7Q2M9X4TZ8WD3FA", real)  # ninja routes name no converter
    absurd = re.sub(r"<int:\w+>", "9" * 25, route)
    absurd = re.sub(r"<(?:(?:slug|str):)?\w+>", "x" * 300, absurd)
    return ["/" + path for path in dict.fromkeys([real, absurd]) if "<" not in path]


def field_names(html: str) -> list[str]:
    return list(set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)) - {"csrfmiddlewaretoken"})


def no_500(client: Client, method: str, path: str, **kwargs):
    """Send one request and return its response (an exception or a 5xx fails the test)."""
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code < 500, f"{method.upper()} {path} {str(kwargs)[:200]} -> {response.status_code}"
    return response


def reached(response) -> bool:
    """Return whether the request got past the access checks (not refused, not sent to sign in)."""
    if response.status_code in {403, 404, 405}:
        return False
    return not (response.status_code == 302 and response["Location"].startswith("/login/"))


def page_of(response) -> str:
    return "" if response.streaming else response.content.decode("utf-8", "replace")


@pytest.mark.django_db
def test_no_page_answers_500_to_malformed_values(world, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    # Hostile passwords are hashed fast here, and repeated failures are not slowed down (both tested apart).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_THROTTLE_SLOWDOWN_AFTER = 10**6
    application = under_review(world, at(2026, 11, 20))
    staff = {role: User.objects.create_user(username=f"fuzz_{role}", password=None, role=role,
                                            district="500103" if role == Role.DISTRICT else "")
             for role in (Role.DISTRICT, Role.SERVICE_CENTRE, Role.ADMIN)}
    entry = EnterpriseAuthentication.objects.filter(enterprise=world.enterprise_a).first()
    numbers = {"pk": application.pk, "material_pk": application.materials.first().pk,
               "auth_pk": entry.pk if entry else 1}
    people = [None, world.applicant, world.operator_a, world.reviewer, *staff.values()]
    routes = [(route, pattern) for route, pattern in patterns(get_resolver())
              if not route.lstrip("^").startswith(SKIPPED_PREFIXES)]
    assert len(routes) > 25
    sent, public = 0, set()
    for user in people:
        client = Client(raise_request_exception=True)
        if user is not None:
            client.force_login(user)
        for route, _pattern in routes:
            real, *absurd = concrete(route, numbers)
            for path in absurd:
                no_500(client, "get", path)
            if "logout" in real:
                continue
            got, posted = no_500(client, "get", real), no_500(client, "post", real)
            sent += 2 + len(absurd)
            if not (reached(got) or reached(posted)) or real in public:
                continue  # this role may not open the page, or it is public and was fuzzed signed out
            if user is None:
                public.add(real)
            names = sorted(set(field_names(page_of(got)) + field_names(page_of(posted))) | set(READ_BY_HAND))
            for turn in range(len(HOSTILE)):  # each field gets each value once, mixed across the fields
                values = {name: HOSTILE[(turn + index) % len(HOSTILE)] for index, name in enumerate(names)}
                if reached(got):
                    no_500(client, "get", real, data=values)
                if reached(posted):
                    no_500(client, "post", real, data=values)
            broken = "&".join(f"{name}={INVALID_UTF8.decode()}" for name in names)
            no_500(client, "get", real, QUERY_STRING=broken)
            no_500(client, "post", real, data=broken, content_type="application/x-www-form-urlencoded")
            sent += (reached(got) + reached(posted)) * len(HOSTILE) + 2
    assert sent > 400
