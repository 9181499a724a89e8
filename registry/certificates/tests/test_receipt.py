"""The sealed verification receipt: built from a fresh answer, sealed like a certificate, refused for bad links."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache, caches
from django.db import DatabaseError, connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from registry import clock
from registry.applications.tests.test_browser import page  # noqa: F401 - the browser fixture
from registry.certificates import public, receipts, services
from registry.certificates.models import VerificationCheck, VerificationReceipt
from registry.certificates.outcomes import format_as_of
from registry.certificates.sealing import trust_roots
from registry.certificates.tests.helpers import give_images, qr_texts, seed_certificate
from registry.certificates.verification import check_value
from registry.ofd.reader import read_ofd
from registry.seal.verify import Status, verify_ofd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    caches["ratelimit"].clear()
    yield
    cache.clear()
    caches["ratelimit"].clear()


@pytest.fixture
def holder(world):
    """李四 with a valid certificate issued today."""
    person = give_images(world.registered.person)
    person.registrations.get().specialties.update(valid_to=timezone.localdate() + timedelta(days=400))
    return seed_certificate(person, timezone.now())


def form_of(certificate, channel: str = "qr") -> dict[str, str]:
    """What the page's 下载核验回执 form posts for a certificate."""
    check = urlsplit(public.link_of(certificate)).query.removeprefix("c=")
    return {"public_id": certificate.public_id, "c": check, "channel": channel}


def download(certificate, channel: str = "qr", client: Client | None = None):
    return (client or Client()).post("/certificates/receipt/", form_of(certificate, channel))


def outcome(response) -> str:
    return re.search(r'id="outcome" data-code="([a-z_]+)"', response.content.decode()).group(1)


def test_the_receipt_downloads_as_a_sealed_ofd_that_verifies_strictly(holder):
    response = download(holder)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ofd"
    assert response["Content-Disposition"].startswith('attachment; filename="HY')
    assert "no-store" in response["Cache-Control"]
    report = verify_ofd(response.content, trust_roots=trust_roots(), strict=True)
    assert report.valid, [(s.code, s.detail) for s in report.steps if s.status is Status.FAILED]
    assert trust_roots(), "the strict check must have a root to chain to"


def test_the_receipt_states_serial_version_outcome_time_and_channel(holder):
    before = clock.now()
    response = download(holder, channel="search")
    row = VerificationReceipt.objects.get()
    document = read_ofd(response.content)
    text = document.text
    assert "电子证书核验回执" in text
    assert f"回执编号 {row.number}" in text
    assert f"证书编号 {holder.serial}，版本 {holder.version}" in text
    assert "核验结果\n有效\n该电子证书由本机关签发，当前有效。" in text
    assert f"核验时间 {format_as_of(row.as_of)}" in text
    assert "核验渠道 注册信息查询" in text
    assert holder.authority_name in text
    assert holder.id_number not in text and holder.name not in text  # it states the check, not the person
    # The row: what was stated and the hash of exactly the file handed out; nothing about the requester.
    assert (row.certificate, row.certificate_version, row.outcome, row.channel) == (
        holder, holder.version, "valid", "search")
    assert before <= row.as_of <= clock.now()
    assert row.sha256 == hashlib.sha256(response.content).hexdigest()
    assert document.custom_data["核验结果"] == "valid" and document.custom_data["证书编号"] == holder.serial
    assert {f.name for f in VerificationReceipt._meta.get_fields()} == {
        "id", "number", "certificate", "certificate_version", "outcome", "as_of", "channel", "sha256", "created_at"}


def test_the_receipts_qr_decodes_to_the_live_link(holder):
    document = read_ofd(download(holder).content)
    [first] = document.pages
    decoded = []
    for image in first.images:
        decoded += qr_texts(Image.open(io.BytesIO(image.data)))
    assert decoded == [public.link_of(holder)]


def test_a_cancelled_certificates_receipt_says_cancelled(holder, world):
    services.cancel_certificates(registration=holder.registration, actor=world.operator_a, now=timezone.now(),
                                 reason="注销注册")
    response = download(holder)
    assert response.status_code == 200
    text = read_ofd(response.content).text
    assert "核验结果\n已注销\n" in text and "当前有效" not in text
    assert VerificationReceipt.objects.get().outcome == "cancelled"
    assert verify_ofd(response.content, trust_roots=trust_roots(), strict=True).valid


def test_the_outcome_is_never_taken_from_the_client(holder, world):
    services.cancel_certificates(registration=holder.registration, actor=world.operator_a, now=timezone.now(),
                                 reason="注销注册")
    response = Client().post("/certificates/receipt/", {**form_of(holder), "outcome": "valid", "title": "有效"})
    assert VerificationReceipt.objects.get().outcome == "cancelled"
    assert "已注销" in read_ofd(response.content).text


def test_a_receipt_counts_one_check_through_the_receipt_channel(holder):
    download(holder)
    download(holder)
    [row] = VerificationCheck.objects.filter(certificate=holder)
    assert (row.channel, row.outcome, row.count) == ("receipt", "valid", 2)
    assert VerificationReceipt.objects.count() == 2
    assert len(set(VerificationReceipt.objects.values_list("number", flat=True))) == 2


@pytest.mark.parametrize(("change", "code"), [
    (lambda form: {**form, "c": "AAAAAAAA"}, "check_failed"),
    (lambda form: {**form, "public_id": "not-an-id"}, "malformed_link"),
    (lambda form: {**form, "c": ""}, "malformed_link"),
])
def test_a_bad_link_gets_the_landing_pages_answer_and_no_receipt(holder, change, code):
    response = Client().post("/certificates/receipt/", change(form_of(holder)))
    assert response.status_code == 400 and outcome(response) == code
    assert response["Content-Type"].startswith("text/html") and "no-store" in response["Cache-Control"]
    assert "下载核验回执" not in response.content.decode()
    assert not VerificationReceipt.objects.exists() and not VerificationCheck.objects.exists()


def test_an_unknown_certificate_gets_no_receipt(settings):
    public_id = "A" * 16
    check = check_value(public_id, settings.CERTIFICATE_VERIFICATION_KEY)
    response = Client().post("/certificates/receipt/", {"public_id": public_id, "c": check, "channel": "qr"})
    assert response.status_code == 400 and outcome(response) == "unknown_certificate"
    assert "未找到该核验链接对应的电子证书" in response.content.decode()
    assert not VerificationReceipt.objects.exists()


@pytest.mark.parametrize("channel", ["", "upload", "api", "receipt", "valid"])
def test_only_the_qr_and_search_channels_get_receipts(holder, channel):
    response = download(holder, channel=channel)
    assert response.status_code == 400 and outcome(response) == "bad_request"
    assert not VerificationReceipt.objects.exists()
    with pytest.raises(ValueError):
        receipts.issue_receipt(holder.public_id, form_of(holder)["c"], channel=channel or "x", now=clock.now())


def test_get_shows_what_the_receipt_will_state_and_issues_nothing(holder):
    response = Client().get("/certificates/receipt/", form_of(holder))
    html = response.content.decode()
    assert response.status_code == 200 and outcome(response) == "valid"
    assert holder.serial in html and 'method="post"' in html and "下载核验回执" in html
    assert "no-store" in response["Cache-Control"]
    assert not VerificationReceipt.objects.exists() and not VerificationCheck.objects.exists()


@pytest.mark.parametrize(("change", "code"), [
    (lambda form: {**form, "c": "AAAAAAAA"}, "check_failed"),
    (lambda form: {**form, "channel": "upload"}, "bad_request"),
])
def test_get_of_a_bad_link_shows_its_answer_and_no_button(holder, change, code):
    response = Client().get("/certificates/receipt/", change(form_of(holder)))
    assert response.status_code == 400 and outcome(response) == code
    assert 'method="post"' not in response.content.decode().split("<main>")[1]


def test_a_missing_csrf_token_is_refused(holder):
    client = Client(enforce_csrf_checks=True)
    assert download(holder, client=client).status_code == 403
    assert not VerificationReceipt.objects.exists()


def test_the_links_lead_to_a_form_that_works_with_csrf(holder):
    client = Client(enforce_csrf_checks=True)
    link = urlsplit(public.link_of(holder))
    for response_page, channel in ((client.get(f"{link.path}?{link.query}"), "qr"),
                                   (client.get("/certificates/search/", {
                                       "registration_number": holder.registration_number, "name": holder.name}),
                                    "search")):
        html = response_page.content.decode()
        href = re.search(r'<a class="btn" id="receipt" href="([^"]+)">下载核验回执</a>', html).group(1)
        receipt_page = client.get(href.replace("&amp;", "&")).content.decode()
        assert 'action="/certificates/receipt/"' in receipt_page
        fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', receipt_page))
        assert fields["channel"] == channel and fields["public_id"] == holder.public_id
        response = client.post("/certificates/receipt/", fields)
        assert response.status_code == 200 and response["Content-Type"] == "application/ofd"
    assert list(VerificationReceipt.objects.order_by("pk").values_list("channel", flat=True)) == ["qr", "search"]


def test_the_landing_page_sets_no_cookie(holder):
    link = urlsplit(public.link_of(holder))
    response = Client().get(f"{link.path}?{link.query}")
    assert outcome(response) == "valid" and not response.cookies  # no CSRF cookie: the page has no form
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_refused_link_shows_no_button():
    response = Client().get("/certificates/verify/AAAAAAAAAAAAAAAA?c=AAAAAAAA")
    assert "下载核验回执" not in response.content.decode()


def test_receipts_share_the_verification_rate_limit(holder, settings):
    settings.VERIFY_RATE_PER_MINUTE = 2
    client = Client()
    assert [download(holder, client=client).status_code for _ in range(3)] == [200, 200, 429]
    assert VerificationReceipt.objects.count() == 2


def test_the_console_finds_a_receipt_by_its_number_read_only(holder, world):
    download(holder)
    row = VerificationReceipt.objects.get()
    client = Client()
    client.force_login(world.admin)
    listing = client.get("/admin/certificates/verificationreceipt/", {"q": row.number})
    assert listing.status_code == 200 and row.number in listing.content.decode()
    assert client.get("/admin/certificates/verificationreceipt/add/").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_relying_party_scans_clicks_and_gets_a_receipt_that_verifies(page, live_server, world, tmp_path,  # noqa: F811
                                                                      certificate_sandbox):
    """In Chromium: the QR link's page, its link, the receipt page's button, the download; the project's
    verifier, strict, passes it."""
    person = give_images(world.registered.person)
    person.registrations.get().specialties.update(valid_to=timezone.localdate() + timedelta(days=400))
    certificate = seed_certificate(person, timezone.now())
    link = urlsplit(public.link_of(certificate))
    page.goto(f"{live_server.url}{link.path}?{link.query}")
    assert page.get_attribute("#outcome", "data-code") == "valid"
    page.click("a:has-text('下载核验回执')")
    assert page.get_attribute("#outcome", "data-code") == "valid"  # the receipt page: what it will state
    with page.expect_download() as download_info:
        page.click("button:has-text('下载核验回执')")
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert target.name.startswith("HY") and target.suffix == ".ofd"
    result = subprocess.run(
        [sys.executable, "-m", "registry.seal", "verify", str(target), "--trust",
         str(certificate_sandbox / "root.pem"), "--strict"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"证书编号 {certificate.serial}，版本 {certificate.version}" in read_ofd(target.read_bytes()).text
    assert VerificationReceipt.objects.get().channel == "qr"


def test_the_check_time_is_printed_in_chongqing_time():
    moment = datetime(2030, 1, 31, 16, 5, 9, tzinfo=UTC)  # a fixed moment, not the clock: 00:05 the next day there
    assert format_as_of(moment) == "2030年2月1日 00:05:09"
    with pytest.raises(ValueError):
        format_as_of(moment.replace(tzinfo=None))


def test_when_the_status_cannot_be_read_there_is_no_receipt(holder):
    def broken(*_args):
        raise DatabaseError("down")

    with connection.execute_wrapper(broken):  # every statement fails, the landing read first
        response = download(holder)
    assert response.status_code == 503 and outcome(response) == "status_unavailable"
    assert "此结果不表示证书有效或无效" in response.content.decode()
    assert not VerificationReceipt.objects.exists()
