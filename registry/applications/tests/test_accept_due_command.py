"""`manage.py accept_due --now`: the demo's way to move to the acceptance day, refused with DEBUG off."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from registry.applications.models import ApplicationType, Specialty
from registry.applications.tests.conftest import reported
from registry.testing import SHANGHAI, at

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("accept_due", *args, stdout=out)
    return out.getvalue().strip()


def test_now_moves_the_sweep_to_the_acceptance_day(world, settings):
    # A scenario date, like the workflow tests: the personas' facts (continuing education) are dated for it,
    # and every moment below is passed explicitly, so the real clock plays no part.
    submitted = at(2026, 11, 2)
    settings.DEBUG = True
    application = reported(world.applicant, world.operator_a, submitted, application_type=ApplicationType.INITIAL,
                           specialties=[Specialty.BUILDING], employer=world.enterprise_a)
    assert application.accept_on is not None, (application.status, application.decision_reasons)
    assert application.accept_on > submitted.astimezone(SHANGHAI).date()
    acceptance_day = datetime.combine(application.accept_on, datetime.min.time(), tzinfo=SHANGHAI)
    assert run("--now", (acceptance_day.replace(hour=0) - timedelta(minutes=1)).isoformat()) == "0 accepted"
    assert run("--now", acceptance_day.replace(hour=1).isoformat()) == "1 accepted"
    status_after = type(application).objects.get(pk=application.pk).status
    assert status_after != application.status
    assert run("--now", acceptance_day.replace(hour=2).isoformat()) == "0 accepted"  # idempotent


def test_now_is_refused_with_debug_off(settings, clock_now):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        run("--now", clock_now.isoformat())


def test_now_must_be_iso(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="ISO 8601"):
        run("--now", "next tuesday")
