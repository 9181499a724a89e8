"""Give the demo its certificates (run after load_demo; idempotent).

    python manage.py load_certificate_demo

李四 and 吴志强 get their photo and signature on file and a first e-certificate for their registration, so
李四's renewal and 吴志强's change of employer supersede it and cancelling 李四's last specialty cancels it. The paper-certificate holder 陈建国 gets the
photo the old registry kept; he uploads his signature when he claims. Synthetic images only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from registry import clock
from registry.applications.models import Registration, RegistrationStatus
from registry.certificates import services
from registry.certificates.demo import demo_photo, demo_signature
from registry.certificates.models import Certificate, CertificateSource
from registry.files import clean_upload, store_private
from registry.people.models import Person


class Command(BaseCommand):
    help = "Issue the demo's first certificates (李四, 吴志强) and file the paper holder's photo (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        now = clock.now()
        for name in ("李四", "吴志强"):
            holder = Person.objects.filter(name=name).first()
            registration = (Registration.objects.filter(person=holder, status=RegistrationStatus.ACTIVE).first()
                            if holder else None)
            if registration is not None and not Certificate.objects.filter(person=holder).exists():
                _file_images(holder, signature=True)
                certificate = services.issue_certificate(
                    registration=registration, actor=None, now=now, source=CertificateSource.SEED,
                    idempotency_key=f"seed:{registration.pk}", images=services.images_for(holder),
                    reason="演示数据：首张电子证书",
                )
                self.stdout.write(f"{name}'s certificate {certificate.serial} issued")
        chen = Person.objects.filter(name="陈建国").first()
        if chen is not None and not chen.photo:
            _file_images(chen, signature=False)
        self.stdout.write(self.style.SUCCESS("Certificate demo loaded"))


def _file_images(person: Person, *, signature: bool) -> None:
    person.photo = store_private(clean_upload(demo_photo(), images_only=True), "photos")
    fields = ["photo"]
    if signature:
        person.signature = store_private(clean_upload(demo_signature(), images_only=True), "signatures")
        fields.append("signature")
    person.save(update_fields=fields)
