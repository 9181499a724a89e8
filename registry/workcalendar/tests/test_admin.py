"""An administrator publishes a later year through the Django admin."""

from __future__ import annotations

from datetime import date

import pytest

from registry.audit.models import AuditEvent
from registry.workcalendar.models import CalendarYear
from registry.workcalendar.services import get_calendar

pytestmark = [pytest.mark.django_db, pytest.mark.urls("registry.workcalendar.tests.urls")]


@pytest.fixture
def admin_user(django_user_model):
    # No password: the test logs in directly and does not depend on the configured hashers.
    return django_user_model.objects.create_superuser(username="calendar-admin", email="", password=None, role="admin")


@pytest.fixture
def admin_client(client, admin_user, settings):
    # Django's own backend and middleware keep these tests about the calendar admin, not about
    # the project's sign-in stack, which has its own tests.
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    settings.MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ]
    client.force_login(admin_user)
    return client


def inline(rows: list[tuple[str, str, str]]) -> dict[str, str]:
    data = {
        "days-TOTAL_FORMS": str(len(rows)),
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, (day, kind, name) in enumerate(rows):
        data |= {f"days-{i}-date": day, f"days-{i}-kind": kind, f"days-{i}-name": name}
    return data


def test_an_administrator_adds_2027_and_deadlines_use_it(admin_client, admin_user):
    response = admin_client.post(
        "/admin/workcalendar/calendaryear/add/",
        {"year": "2027", "published": "on", "notes": "测试数据"}
        | inline([("2027-01-01", "holiday", "元旦"), ("2027-02-07", "workday", "春节调休上班")]),
    )
    assert response.status_code == 302
    row = CalendarYear.objects.get(year=2027)
    assert (row.source, row.updated_by) == (CalendarYear.Source.ADMINISTRATOR, admin_user)
    assert get_calendar().add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert AuditEvent.objects.filter(action="workcalendar.year.created", actor=admin_user).exists()


def test_the_admin_refuses_a_weekday_as_adjusted_working_day(admin_client):
    response = admin_client.post(
        "/admin/workcalendar/calendaryear/add/",
        {"year": "2027", "published": "on"} | inline([("2027-01-04", "workday", "周一")]),
    )
    assert response.status_code == 200
    assert "调休上班日必须是周六或周日" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_admin_refuses_a_day_of_another_year(admin_client):
    response = admin_client.post(
        "/admin/workcalendar/calendaryear/add/",
        {"year": "2027", "published": "on"} | inline([("2028-01-01", "holiday", "元旦")]),
    )
    assert response.status_code == 200
    assert "日期必须在2027年内" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_admin_lists_the_years(admin_client):
    response = admin_client.get("/admin/workcalendar/calendaryear/")
    assert response.status_code == 200
    assert "2026" in response.content.decode()
