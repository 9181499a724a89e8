"""Two reviewers deciding the same application at the same moment: exactly one wins (PostgreSQL and SQLite)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from registry.applications import services
from registry.applications.errors import Conflict
from registry.applications.models import Application, ApplicationStatus, ApplicationTransition, Registration
from registry.applications.tests.conftest import at, under_review


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_exactly_one_wins(world):
    application = under_review(world, at(2026, 11, 20))
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(name: str, reviewer, call) -> None:
        try:
            stale = Application.objects.get(pk=application.pk)
            barrier.wait(timeout=10)
            call(reviewer, stale)
            outcomes[name] = "won"
        except Conflict:
            outcomes[name] = "lost"
        finally:
            connections.close_all()

    approve = lambda reviewer, a: services.approve_application(actor=reviewer, application=a, now=at(2026, 11, 26))  # noqa: E731
    refuse = lambda reviewer, a: services.refuse_application(actor=reviewer, application=a,  # noqa: E731
                                                             reasons=["材料不全"], now=at(2026, 11, 26))
    threads = [threading.Thread(target=decide, args=("approve", world.reviewer, approve)),
               threading.Thread(target=decide, args=("refuse", world.reviewer2, refuse))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["lost", "won"]
    application.refresh_from_db()
    decisions = ApplicationTransition.objects.filter(application=application, to_status__in=["approved", "refused"])
    assert decisions.count() == 1
    winner = "approve" if outcomes["approve"] == "won" else "refuse"
    assert application.status == (ApplicationStatus.APPROVED if winner == "approve" else ApplicationStatus.REFUSED)
    assert Registration.objects.filter(person=world.applicant.person).exists() == (winner == "approve")
