"""Helpers of the issuing tests: images on file, applications through review, a seeded certificate."""

from __future__ import annotations

from datetime import datetime, timedelta

from registry.applications import services as workflow
from registry.applications.models import Application, ApplicationStatus, Registration
from registry.applications.tests.conftest import reported
from registry.certificates import services
from registry.certificates.demo import demo_photo, demo_signature
from registry.certificates.models import Certificate, CertificateSource
from registry.files import clean_upload, store_private
from registry.people.models import Person


def give_images(person: Person) -> Person:
    """Store a photo and a signature for the person (as a legacy import or an earlier certificate would)."""
    person.photo = store_private(clean_upload(demo_photo(), images_only=True), "photos")
    person.signature = store_private(clean_upload(demo_signature(), images_only=True), "signatures")
    person.save(update_fields=["photo", "signature"])
    return person


def seed_certificate(person: Person, now: datetime, actor=None) -> Certificate:
    """Issue a first certificate for the person's registration from the images on file."""
    registration = Registration.objects.get(person=person, status="active")
    return services.issue_certificate(
        registration=registration, actor=actor, now=now, source=CertificateSource.SEED,
        idempotency_key=f"seed:{registration.pk}", images=services.images_for(person), reason="测试首张证书",
    )


def through_review(world, user, operator, now: datetime, **create) -> Application:
    """Return an application reported, accepted a week later and approved a day after that."""
    application = reported(user, operator, now, **create)
    assert application.status == ApplicationStatus.PENDING_ACCEPTANCE, application.comparison
    workflow.accept_due_applications(now=now + timedelta(days=7))
    application.refresh_from_db()
    workflow.approve_application(actor=world.reviewer, application=application, now=now + timedelta(days=8))
    application.refresh_from_db()
    return application
