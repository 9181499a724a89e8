"""The upload check, by page and by API: each Done-when case, refusals before reading, hostile input."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from registry import clock
from registry.certificates import services, upload_check
from registry.certificates.document import build_certificate
from registry.certificates.sealing import certificate_storage
from registry.certificates.tests.helpers import give_images, seed_certificate
from registry.ofd.package import read_package, write_package
from registry.seal.demo import create_demo_pki

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(world):
    """李四 with a valid certificate issued today."""
    person = give_images(world.registered.person)
    person.registrations.get().specialties.update(valid_to=timezone.localdate() + timedelta(days=400))
    return seed_certificate(person, timezone.now())


def file_of(certificate) -> bytes:
    with certificate_storage().open(certificate.storage_name, "rb") as handle:
        return handle.read()


def changed_byte(content: bytes) -> bytes:
    parts = dict(read_package(content).parts)
    name = next(n for n in parts if n.endswith("Content.xml"))
    body = bytearray(parts[name])
    body[len(body) // 2] ^= 0x01
    parts[name] = bytes(body)
    return write_package(parts)


def added_part(content: bytes) -> bytes:
    parts = dict(read_package(content).parts)
    parts["Doc_0/Pages/Page_9/Content.xml"] = b'<?xml version="1.0"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"/>'
    return write_package(parts)


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", b"\0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def page_outcome(response) -> str:
    return re.search(r'id="outcome" data-code="([a-z_]+)"', response.content.decode()).group(1)


def by_page(content: bytes, client: Client | None = None):
    client = client or Client(enforce_csrf_checks=True)
    form = client.get("/certificates/check/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    return client.post("/certificates/check/", {"csrfmiddlewaretoken": token,
                                                "file": SimpleUploadedFile("证书.ofd", content)})


def by_api(content: bytes):
    return Client().post("/api/check", {"file": SimpleUploadedFile("c.ofd", content)})


def both(content: bytes) -> tuple[str, str]:
    page = by_page(content)
    api = by_api(content)
    assert page.status_code == 200 and api.status_code == 200
    return page_outcome(page), api.json()["answer"]["outcome"]


def test_a_real_sealed_certificate_is_valid_with_its_public_data_and_live_link(holder):
    result = upload_check.check_upload(file_of(holder), now=clock.now())
    assert result.answer.code == "valid" and result.certificate == holder
    assert [step.label for step in result.steps][:1] == ["文件结构"] and all(s.result == "通过" for s in result.steps)
    assert {"证书链", "签名值", "印章", "文件完整性", "签章时间"} <= {step.label for step in result.steps}
    page = by_page(file_of(holder))
    text = page.content.decode()
    assert page_outcome(page) == "valid" and "no-store" in page["Cache-Control"]
    assert holder.registration_number in text and holder.name not in text and holder.id_number not in text
    assert 'id="live-link"' in text and "数字证书属于本机关的信任体系" in text
    data = by_api(file_of(holder)).json()
    assert data["answer"]["outcome"] == "valid" and data["answer"]["trustworthy"] is True
    assert data["certificate"]["registration_number"] == holder.registration_number
    assert data["certificate"]["name"] != holder.name and "id_number" not in data["certificate"]
    assert data["certificate"]["link"] == holder.verification_url


def test_one_changed_byte_is_tampered(holder):
    assert both(changed_byte(file_of(holder))) == ("tampered", "tampered")


def test_an_added_unsigned_part_is_tampered(holder):
    assert both(added_part(file_of(holder))) == ("tampered", "tampered")


def test_a_forged_pki_copying_the_names_is_not_issued_here(holder, data, layout, tmp_path, clock_now):
    forged = create_demo_pki(tmp_path, now=clock_now)
    content = build_certificate(data, layout=layout, signer=forged.signer, seal=forged.seal, sign_time=clock_now)
    assert both(content) == ("not_issued_here", "not_issued_here")


def test_a_superseded_certificates_file_says_superseded_and_links_the_successor(holder):
    old = file_of(holder)
    successor = services.issue_certificate(
        registration=holder.registration, actor=None, now=timezone.now(), source="seed", idempotency_key="next",
        images=services.images_for(holder.person), reason="换发",
    )
    assert both(old) == ("superseded", "superseded")
    data = by_api(old).json()
    assert data["answer"]["details"]["successor"] == successor.verification_url
    assert both(file_of(successor)) == ("valid", "valid")


def test_a_cancelled_certificates_file_says_cancelled(holder, world):
    services.cancel_certificates(registration=holder.registration, actor=world.operator_a, now=timezone.now(),
                                 reason="注销注册")
    assert both(file_of(holder)) == ("cancelled", "cancelled")


def test_a_trusted_seal_on_a_file_never_recorded_is_not_valid(holder, data, layout, certificate_sandbox, clock_now):
    from registry.seal import load_demo_authority

    own = load_demo_authority(certificate_sandbox, create_if_missing=False)
    content = build_certificate(data, layout=layout, signer=own.signer, seal=own.seal, sign_time=clock_now)
    result = upload_check.check_upload(content, now=clock.now())
    assert result.answer.code == "unknown_certificate" and result.certificate is None
    assert not result.answer.trustworthy and "请勿信任" in result.answer.reason


@pytest.mark.parametrize("content", [
    b"not an ofd at all", "<html><body>证书</body></html>".encode(), b"PK\x03\x04truncated", b"\xff" * 4096,
], ids=["garbage", "html-renamed", "truncated-zip", "binary"])
def test_what_is_not_an_ofd_is_not_a_certificate(content):
    assert both(content) == ("not_a_certificate", "not_a_certificate")


def test_a_truncated_certificate_and_a_zip_bomb_are_answered_not_raised(holder):
    assert both(file_of(holder)[: len(file_of(holder)) // 2]) == ("not_a_certificate", "not_a_certificate")
    assert upload_check.check_upload(zip_bomb(), now=clock.now()).answer.code in {"not_a_certificate", "tampered"}


def test_oversize_is_refused_before_the_upload_is_read(holder, settings, monkeypatch):
    settings.VERIFY_UPLOAD_MAX_BYTES = 100 * 1024
    big = b"x" * (300 * 1024)

    def never(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", never)
    monkeypatch.setattr(upload_check, "verify_ofd", never)
    page = Client().post("/certificates/check/", {"file": SimpleUploadedFile("big.ofd", big)})
    assert page.status_code == 413 and 'data-code="file_too_large"' in page.content.decode()
    assert "文件过大" in page.content.decode()
    api = Client().post("/api/check", {"file": SimpleUploadedFile("big.ofd", big)})
    assert api.status_code == 413 and api.json()["code"] == "file_too_large" and api.json()["message"] == "文件过大：上传的电子证书不能超过 100 KB。"


def test_read_upload_never_reads_past_the_limit(settings):
    settings.VERIFY_UPLOAD_MAX_BYTES = 10

    class Endless(io.RawIOBase):
        def read(self, size=-1):
            assert size == 11
            return b"y" * size

    with pytest.raises(upload_check.UploadRefused) as refused:
        upload_check.read_upload(Endless(), None)
    assert refused.value.code == "file_too_large"
    with pytest.raises(upload_check.UploadRefused) as declared:
        upload_check.read_upload(io.BytesIO(b"a"), 11)
    assert declared.value.code == "file_too_large"
    with pytest.raises(upload_check.UploadRefused) as empty:
        upload_check.read_upload(io.BytesIO(b""), 0)
    assert empty.value.code == "no_file"


def test_the_page_needs_csrf_and_a_file():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/certificates/check/", {"file": SimpleUploadedFile("a.ofd", b"x")}).status_code == 403
    response = by_page(b"", client)
    assert response.status_code == 400 and 'data-code="no_file"' in response.content.decode()
    form = Client().get("/certificates/check/")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()
    assert "no-store" in form["Cache-Control"]


def test_the_api_without_a_file_says_so_in_chinese():
    response = Client().post("/api/check")
    assert response.status_code == 400 and response.json()["code"] == "no_file"
    assert "请选择" in response.json()["message"]


def test_the_upload_check_shares_the_rate_limit(settings):
    settings.VERIFY_RATE_PER_MINUTE = 2
    client = Client()
    for _ in range(2):
        assert client.post("/api/check", {"file": SimpleUploadedFile("a.ofd", b"x")}).status_code == 200
    limited = client.post("/api/check", {"file": SimpleUploadedFile("a.ofd", b"x")})
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    page = by_page(b"x", client)
    assert page.status_code == 429 and page["Retry-After"] == "60"
