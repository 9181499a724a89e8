"""Holders' 电子证书管理 through the pages: list, picture, print, download after a face check, claims."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from registry.applications import services as workflow
from registry.applications.models import Registration, RegistrationStatus
from registry.applications.tests.conftest import at, under_review
from registry.audit.models import AuditEvent
from registry.certificates.demo import demo_photo
from registry.certificates.models import Certificate, CertificateStatus
from registry.certificates.sealing import certificate_storage
from registry.certificates.tests.helpers import give_images, seed_certificate
from registry.people.access import SESSION_AUTH_AT
from registry.people.face import record_face_check
from registry.people.models import FaceCheck, FacePurpose
from registry.seal import verify_ofd

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signature_photo(size=(600, 300)) -> bytes:
    """Return a photo of a signature: dark strokes on slightly grey paper, as a phone takes it."""
    picture = Image.new("RGB", size, (232, 230, 226))
    from PIL import ImageDraw

    draw = ImageDraw.Draw(picture)
    draw.line([(150, 160), (260, 110), (330, 190), (450, 120)], fill=(25, 25, 40), width=9)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def holder(world):
    """李四 with a valid certificate, issued today (the real clock: the pages use it)."""
    person = give_images(world.registered.person)
    person.registrations.get().specialties.update(valid_to=timezone.localdate() + timedelta(days=400))
    return seed_certificate(person, timezone.now())


class TestHoldersPages:
    def test_the_list_shows_every_certificate_with_its_status_and_the_current_picture(self, world, holder):
        person = holder.person
        Certificate.objects.filter(pk=holder.pk).update(status=CertificateStatus.SUPERSEDED)
        registration = person.registrations.get()
        from registry.certificates import services

        current = services.issue_certificate(registration=registration, actor=None, now=timezone.now(),
                                             source="seed", idempotency_key="second", reason="第二版",
                                             images=services.images_for(person))
        page = client_for(world.registered).get(reverse("certificates:mine")).content.decode()
        assert holder.serial in page and current.serial in page
        assert "已失效（已换发新证）" in page and "有效" in page
        assert reverse("certificates:preview", args=[current.pk]) in page
        assert holder.serial not in client_for(world.applicant).get(reverse("certificates:mine")).content.decode()

    def test_the_list_makes_the_same_few_queries_however_many_certificates(self, world, holder,
                                                                           django_assert_max_num_queries):
        from registry.certificates import services

        registration = holder.person.registrations.get()
        for index in range(4):
            services.issue_certificate(registration=registration, actor=None, now=timezone.now(), source="seed",
                                       idempotency_key=f"more:{index}", reason="又一版",
                                       images=services.images_for(holder.person))
        client = client_for(world.registered)
        with django_assert_max_num_queries(8):
            assert client.get(reverse("certificates:mine")).status_code == 200

    def test_the_picture_is_a_png_of_the_page(self, world, holder):
        response = client_for(world.registered).get(reverse("certificates:preview", args=[holder.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        with Image.open(io.BytesIO(response.content)) as picture:
            assert picture.size == (840, 1188)
            # The photo is drawn where the layout puts it (148, 60, 35 x 45 mm): not white paper there.
            assert picture.convert("RGB").getpixel((165 * 4, 82 * 4)) != (255, 255, 255)

    def test_another_persons_certificate_answers_404(self, world, holder):
        for name in ("detail", "preview", "print"):
            assert client_for(world.applicant).get(reverse(f"certificates:{name}", args=[holder.pk])).status_code == 404
        assert client_for(world.applicant).post(reverse("certificates:download", args=[holder.pk])).status_code == 404

    def test_staff_do_not_reach_holders_pages(self, world, holder):
        assert client_for(world.reviewer).get(reverse("certificates:mine")).status_code == 404  # registry.roles

    def test_the_print_view_says_the_ofd_file_is_the_legal_original(self, world, holder):
        page = client_for(world.registered).get(reverse("certificates:print", args=[holder.pk])).content.decode()
        assert "具有法律效力的是加盖电子印章的 OFD 电子证书文件" in page
        assert reverse("certificates:preview", args=[holder.pk]) in page


class TestDownload:
    def test_download_needs_a_face_check_then_gives_the_sealed_file_once_and_audits_it(self, world, holder,
                                                                                      trust_root):
        client = client_for(world.registered)
        url = reverse("certificates:download", args=[holder.pk])
        response = client.post(url)
        assert response.status_code == 302 and "purpose=download" in response["Location"]
        assert not AuditEvent.objects.filter(action="certificates.certificate.downloaded").exists()

        record_face_check(holder.person, FacePurpose.DOWNLOAD, now=timezone.now() - timedelta(seconds=5))
        assert "人脸识别已通过" in client.get(reverse("certificates:detail", args=[holder.pk])).content.decode()
        response = client.post(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/ofd"
        assert f'filename="{holder.serial}.ofd"' in response["Content-Disposition"]
        with certificate_storage().open(holder.storage_name, "rb") as handle:
            assert response.content == handle.read()
        assert verify_ofd(response.content, trust_roots=[trust_root], strict=True).valid
        event = AuditEvent.objects.get(action="certificates.certificate.downloaded")
        assert (event.actor, event.target_id) == (world.registered, str(holder.pk))
        assert FaceCheck.objects.get(person=holder.person).used_at is not None
        # Single use: the next download asks for a new face check.
        assert client.post(url).status_code == 302

    def test_a_submit_face_check_does_not_open_the_download(self, world, holder):
        record_face_check(holder.person, FacePurpose.SUBMIT, now=timezone.now() - timedelta(seconds=5))
        assert client_for(world.registered).post(reverse("certificates:download", args=[holder.pk])).status_code == 302

    def test_download_needs_a_recent_sign_in_and_a_post(self, world, holder):
        client = client_for(world.registered)
        url = reverse("certificates:download", args=[holder.pk])
        assert client.get(url).status_code == 405
        session = client.session
        session[SESSION_AUTH_AT] = time.time() - 3600
        session.save()
        response = client.post(url)
        assert response.status_code == 302 and "reauth=1" in response["Location"]


class TestApplicationPage:
    def test_the_approved_application_shows_the_registration_number_and_links_the_certificate(self, world):
        application = under_review(world, at(2026, 11, 20))
        workflow.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
        certificate = Certificate.objects.get()
        url = reverse("applications:detail", args=[application.pk])
        page = client_for(world.applicant).get(url).content.decode()
        assert certificate.registration_number in page
        assert reverse("certificates:detail", args=[certificate.pk]) in page
        staff_page = client_for(world.reviewer).get(url).content.decode()
        assert certificate.serial in staff_page and reverse("certificates:detail", args=[certificate.pk]) not in staff_page


@pytest.fixture
def paper(world):
    """李四's registration from the old system: paper certificate 0012345, valid until next year."""
    registration = Registration.objects.get(person=world.registered.person)
    registration.paper_certificate_number = "0012345"
    registration.save(update_fields=["paper_certificate_number"])
    registration.specialties.update(valid_from=date(2024, 3, 1), valid_to=timezone.localdate() + timedelta(days=300))
    return registration


def claim(client, number="0012345", signature=None, photo=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"paper_number": number, "signature": SimpleUploadedFile("sig.jpg", signature or signature_photo())}
    if photo is not None:
        data["photo"] = SimpleUploadedFile("photo.jpg", photo)
    return client.post(reverse("certificates:claim"), data)


class TestPaperClaim:
    def test_a_holder_claims_an_e_certificate_that_keeps_the_paper_validity(self, world, paper, trust_root):
        client = client_for(world.registered)
        page = client.get(reverse("certificates:mine")).content.decode()
        assert "0012345" in page and reverse("certificates:claim") in page
        record_face_check(paper.person, FacePurpose.CLAIM, now=timezone.now() - timedelta(seconds=5))
        response = claim(client, photo=demo_photo())
        certificate = Certificate.objects.get(registration=paper)
        assert response.status_code == 302 and response["Location"] == reverse("certificates:detail",
                                                                               args=[certificate.pk])
        spec = paper.specialties.get()
        assert certificate.specialties[0]["valid_from"] == spec.valid_from.isoformat() == "2024-03-01"
        assert certificate.specialties[0]["valid_to"] == spec.valid_to.isoformat()
        assert certificate.source == "claim" and certificate.status == CertificateStatus.VALID
        with certificate_storage().open(certificate.storage_name, "rb") as handle:
            assert verify_ofd(handle.read(), trust_roots=[trust_root], strict=True).valid
        # The printed signature is the cleaned, transparent PNG.
        from registry.files import open_private

        with Image.open(io.BytesIO(open_private(certificate.signature_name))) as signature:
            assert signature.format == "PNG" and signature.mode == "RGBA"
            assert signature.getpixel((0, 0))[3] == 0
        assert AuditEvent.objects.filter(action="certificates.paper.claimed").exists()
        assert FaceCheck.objects.get(person=paper.person, purpose="claim").used_at is not None

    def test_a_claim_without_a_face_check_is_sent_to_the_face_check(self, world, paper):
        response = claim(client_for(world.registered), photo=demo_photo())
        assert response.status_code == 302 and "purpose=claim" in response["Location"]
        assert not Certificate.objects.exists()

    @pytest.mark.parametrize("situation, message", [
        ("expired", "均已过有效期"),
        ("cancelled", "已注销"),
        ("claimed", "已领取过电子证书"),
        ("not_yours", "未找到您本人名下"),
        ("unknown", "未找到您本人名下"),
    ])
    def test_a_claim_is_refused_with_the_reason(self, world, paper, situation, message):
        user = world.registered
        number = "0012345"
        if situation == "expired":
            paper.specialties.update(valid_to=timezone.localdate() - timedelta(days=1))
        elif situation == "cancelled":
            Registration.objects.filter(pk=paper.pk).update(status=RegistrationStatus.CANCELLED)
        elif situation == "claimed":
            give_images(paper.person)
            seed_certificate(paper.person, timezone.now())
        elif situation == "not_yours":
            user = world.outsider
        else:
            number = "9999999"
        record_face_check(user.person, FacePurpose.CLAIM, now=timezone.now() - timedelta(seconds=5))
        count = Certificate.objects.count()
        response = claim(client_for(user), number=number, photo=demo_photo())
        assert response.status_code == 200
        assert message in response.content.decode()
        assert Certificate.objects.count() == count
        # A refused claim does not use up the face check.
        assert FaceCheck.objects.get(person=user.person, purpose="claim").used_at is None

    def test_a_photo_with_no_signature_in_it_is_refused(self, world, paper):
        blank = io.BytesIO()
        Image.new("RGB", (400, 200), (240, 240, 240)).save(blank, "PNG")
        record_face_check(paper.person, FacePurpose.CLAIM, now=timezone.now() - timedelta(seconds=5))
        response = claim(client_for(world.registered), signature=blank.getvalue(), photo=demo_photo())
        assert "未能在图片中识别出签名笔迹" in response.content.decode()
        assert not Certificate.objects.exists()

    def test_a_claim_needs_a_photo_when_none_is_on_file(self, world, paper):
        record_face_check(paper.person, FacePurpose.CLAIM, now=timezone.now() - timedelta(seconds=5))
        response = claim(client_for(world.registered))
        assert "请上传本人一寸免冠照片" in response.content.decode()
