"""Helpers of the issuing tests: images on file, applications through review, a seeded certificate."""

from __future__ import annotations

from datetime import datetime, timedelta

import zxingcpp

from registry.applications import services as workflow
from registry.applications.models import Application, ApplicationStatus, Registration
from registry.applications.tests.conftest import reported
from registry.certificates import services
from registry.certificates.demo import demo_photo, demo_signature
from registry.certificates.models import Certificate, CertificateSource
from registry.files import clean_upload, store_private
from registry.people.models import Person


def qr_codes(image) -> list:
    """Return the QR codes in an image, as a phone's QR scanner reads them (zxing-cpp).

    QR codes only: zxing-cpp's one-dimensional readers now and then find a short spurious code (a "5670")
    in the lines of a QR image or a page, which a QR scanner never reports.
    """
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def qr_texts(image) -> list[str]:
    """Return the texts of the QR codes in an image (``qr_codes``)."""
    return [code.text for code in qr_codes(image)]


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
