"""The certificate invariants under random sequences of events and under real concurrency.

- Never a valid certificate for a cancelled registration; cancellation and revocation are final.
- At most one valid certificate per person.
- A row exists only with its stored file; a retried event never issues twice.
"""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import clock
from registry.applications import services as workflow
from registry.applications.errors import Conflict, WorkflowError
from registry.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationType,
    Registration,
    RegistrationStatus,
    Specialty,
)
from registry.applications.signals import registration_changed
from registry.applications.tests.conftest import at, under_review
from registry.certificates import receivers, services
from registry.certificates.models import FINAL_STATUSES, Certificate, CertificateStatus
from registry.certificates.sealing import certificate_storage
from registry.certificates.tests.helpers import give_images

OPERATIONS = ["approve", "renew", "add", "cancel_all", "cancel_some", "retry", "expire", "sweep", "revoke", "wait"]
_references = itertools.count(1)


class Scenario:
    """Drive registrations of two persons through the real services, one random event at a time."""

    def __init__(self, world, now):
        self.world = world
        self.now = now
        self.persons = [give_images(world.applicant.person), give_images(world.registered.person)]
        self.last_event: dict | None = None
        self.final: dict[int, str] = {}

    def application(self, person, kind, specialties, registration=None, status=ApplicationStatus.UNDER_REVIEW):
        return Application.objects.create(
            reference=f"PT{next(_references):08d}", type=kind, person=person, employer=self.world.enterprise_a,
            registration=registration, specialties=specialties, status=status,
        )

    def run(self, operation: str, who: int, days: int) -> None:
        person = self.persons[who]
        registration = Registration.objects.filter(person=person).order_by("-updated_at").first()
        active = registration is not None and registration.status == RegistrationStatus.ACTIVE
        codes = [s.specialty for s in registration.specialties.filter(status="active")] if registration else []
        try:
            with transaction.atomic():
                getattr(self, f"do_{operation}")(person, registration, active, codes, days)
        except WorkflowError:
            pass  # a refused step changes nothing; the invariants must still hold

    def approve_(self, application) -> None:
        workflow.approve_application(actor=self.world.reviewer, application=application, now=self.now)
        application.refresh_from_db()
        self.last_event = {"registration": application.registration, "application": application, "change": "approved"}

    def do_approve(self, person, registration, active, codes, days):
        if active:
            return
        kind = ApplicationType.REREGISTRATION if registration else ApplicationType.INITIAL
        self.approve_(self.application(person, kind, [Specialty.BUILDING]))

    def do_renew(self, person, registration, active, codes, days):
        if active and codes:
            self.approve_(self.application(person, ApplicationType.RENEWAL, codes, registration))

    def do_add(self, person, registration, active, codes, days):
        if active and Specialty.MUNICIPAL not in codes:
            self.approve_(self.application(person, ApplicationType.ADD_SPECIALTY, [Specialty.MUNICIPAL], registration))

    def cancel_(self, person, registration, specialties):
        application = self.application(person, ApplicationType.CANCELLATION, specialties, registration,
                                       status=ApplicationStatus.AWAITING_EMPLOYER)
        registration = workflow.cancel_specialties(application=application, actor=self.world.operator_a, now=self.now)
        change = "cancelled" if registration.status == RegistrationStatus.CANCELLED else "specialties_cancelled"
        self.last_event = {"registration": registration, "application": application, "change": change}

    def do_cancel_all(self, person, registration, active, codes, days):
        if active and codes:
            self.cancel_(person, registration, codes)

    def do_cancel_some(self, person, registration, active, codes, days):
        if active and len(codes) > 1:
            self.cancel_(person, registration, codes[:1])

    def do_retry(self, person, registration, active, codes, days):
        if self.last_event:
            event = dict(self.last_event)
            event["registration"] = Registration.objects.get(pk=event["registration"].pk)
            registration_changed.send(sender=Registration, actor=self.world.reviewer, now=self.now, **event)

    def do_expire(self, person, registration, active, codes, days):
        services.expire_certificates(now=self.now + timedelta(days=days))

    def do_sweep(self, person, registration, active, codes, days):
        # Files carry the file system's time: sweep everything older than a day from now, rows' files included
        # in the candidates, so the sweep must tell them apart from the orphans of refused steps.
        services.sweep_orphan_files(now=clock.now() + timedelta(days=1), grace=timedelta(0))

    def do_revoke(self, person, registration, active, codes, days):
        certificate = Certificate.objects.filter(person=person, status=CertificateStatus.VALID).first()
        if certificate is not None:
            services.revoke_certificate(actor=self.world.reviewer, certificate=certificate, reason="撤销", now=self.now)

    def do_wait(self, person, registration, active, codes, days):
        self.now += timedelta(days=days)

    def check(self) -> None:
        """Assert every invariant on the database as it stands."""
        cancelled = Registration.objects.filter(status=RegistrationStatus.CANCELLED)
        assert not Certificate.objects.filter(registration__in=cancelled, status=CertificateStatus.VALID).exists()
        for person in self.persons:
            assert Certificate.objects.filter(person=person, status=CertificateStatus.VALID).count() <= 1
        storage = certificate_storage()
        for certificate in Certificate.objects.all():
            assert storage.exists(certificate.storage_name)
            if certificate.pk in self.final:
                assert certificate.status == self.final[certificate.pk], "a final status changed"
            elif certificate.status in FINAL_STATUSES:
                self.final[certificate.pk] = certificate.status


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 1), st.integers(0, 1200)),
                      min_size=1, max_size=10))
def test_no_sequence_of_events_breaks_the_certificate_invariants(world, steps):
    with transaction.atomic():
        scenario = Scenario(world, at(2026, 11, 2))
        for operation, who, days in steps:
            scenario.run(operation, who, days)
            scenario.check()
        transaction.set_rollback(True)  # each example starts from the same world


@pytest.mark.django_db
def test_two_approvals_of_one_application_from_stale_copies_give_one_certificate(world):
    application = under_review(world, at(2026, 11, 20))
    first, second = Application.objects.get(pk=application.pk), Application.objects.get(pk=application.pk)
    workflow.approve_application(actor=world.reviewer, application=first, now=at(2026, 11, 26))
    with pytest.raises(Conflict):
        workflow.approve_application(actor=world.reviewer2, application=second, now=at(2026, 11, 26))
    assert Certificate.objects.filter(person=world.applicant.person).count() == 1


needs_server = pytest.mark.skipif(connection.vendor != "postgresql",
                                  reason="real concurrent transactions need a server database")


def _race(*calls) -> list[str]:
    """Run the calls in threads released together; return each one's outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "won"
        except Conflict:
            outcomes[index] = "lost"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            outcomes[index] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@needs_server
@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_one_application_at_once_give_one_certificate(world):
    application = under_review(world, at(2026, 11, 20))

    def approve(reviewer):
        stale = Application.objects.get(pk=application.pk)
        return lambda: workflow.approve_application(actor=reviewer, application=stale, now=at(2026, 11, 26))

    outcomes = _race(approve(world.reviewer), approve(world.reviewer2))
    assert sorted(outcomes) == ["lost", "won"]
    certificate = Certificate.objects.get(person=world.applicant.person)
    assert certificate.status == CertificateStatus.VALID
    assert certificate_storage().exists(certificate.storage_name)


@needs_server
@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_twice_at_once_issues_once(world):
    application = under_review(world, at(2026, 11, 20))
    # Approve with the receiver disconnected, as if the first delivery had been lost.
    registration_changed.disconnect(dispatch_uid="certificates.registration_changed")
    try:
        workflow.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
    finally:
        registration_changed.connect(receivers.registration_changed_receiver,
                                     dispatch_uid="certificates.registration_changed")
    assert not Certificate.objects.exists()
    registration = Registration.objects.get(person=world.applicant.person)

    def deliver():
        with transaction.atomic():
            registration_changed.send(sender=Registration, registration=registration, application=application,
                                      actor=world.reviewer, now=at(2026, 11, 26), change="approved")

    outcomes = _race(deliver, deliver)
    assert outcomes == ["won", "won"]
    assert Certificate.objects.filter(person=world.applicant.person).count() == 1
