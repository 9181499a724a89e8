"""The demo's certificate journeys, clicked through in headless Chromium on the demo data.

张三's approved initial registration gives him a certificate he downloads after a face check, and the
file passes the project's verifier in strict mode against the demo trust root; 李四's renewal
supersedes his certificate and the old one links its successor; cancelling his last specialty cancels
it at once; 陈建国, holder of a paper certificate, claims an e-certificate with the paper validity.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from registry.applications import services as workflow
from registry.applications.materials import required_materials
from registry.applications.models import ApplicationType, Registration, Specialty
from registry.applications.tests.test_browser import page, ykb_sign_in  # noqa: F401 - the browser fixture
from registry.certificates.demo import demo_photo
from registry.certificates.models import Certificate, CertificateStatus
from registry.certificates.tests.test_pages import signature_photo
from registry.people.face import record_face_check
from registry.people.models import FacePurpose, User
from registry.testing import PDF_BYTES

pytestmark = pytest.mark.browser



def approved(username: str, operator: str, now, **create):
    """Take an application of the demo person through the workflow services to approval."""
    user = User.objects.get(username=username)
    application = workflow.create_application(actor=user, now=now, **create)
    for kind in required_materials(application.type, application.change_kind):
        data = demo_photo() if kind in {"photo", "signature"} else PDF_BYTES
        workflow.add_material(actor=user, application=application, kind=kind, data=data, original_name="x", now=now)
    record_face_check(user.person, FacePurpose.SUBMIT, now=now - timedelta(seconds=5))
    workflow.submit_application(actor=user, application=application, now=now)
    workflow.confirm_by_employer(actor=User.objects.get(username=operator), application=application, now=now)
    if application.type != ApplicationType.CANCELLATION:
        workflow.accept_due_applications(now=now)
        application.refresh_from_db()
        workflow.approve_application(actor=User.objects.get(username="reviewer"), application=application, now=now)
    return application


def pass_face_check(browser_page) -> None:
    browser_page.click("#start-face")
    browser_page.wait_for_url("**/ykb-sim/face/**")
    browser_page.click("button[name=pass]")
    browser_page.wait_for_url(lambda url: "/ykb-sim/" not in url)


@pytest.mark.django_db(transaction=True)
def test_the_demo_certificate_journeys(page, live_server, settings, tmp_path, certificate_sandbox):  # noqa: F811
    from django.core.management import call_command

    from registry.workcalendar.services import seed_missing_years

    seed_missing_years()
    settings.ACCEPT_ON_WORKDAY = 0
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.YKB_ISSUER = live_server.url + "/ykb-sim"
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_certificate_demo", stdout=io.StringIO())
    now = timezone.now()

    # 张三: initial registration approved -> 电子证书管理 -> face check -> download -> strict verification.
    employer = Registration.objects.get(person__name="李四").employer
    approved("zhangsan", "corp_a", now, application_type=ApplicationType.INITIAL,
             specialties=[Specialty.BUILDING], employer=employer)
    certificate = Certificate.objects.get(person__name="张三")
    ykb_sign_in(page, live_server, "张三（个人，已实名）")
    page.click("text=电子证书管理")
    assert certificate.serial in page.content()
    width = page.locator("img.certificate-picture").evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => { img.onload = () => done(img.naturalWidth); })")
    assert width == 840  # the picture of the page, drawn by the server
    page.click("text=下载电子证书（OFD）")
    page.click("text=人脸识别后下载电子证书（OFD）")
    pass_face_check(page)
    with page.expect_download() as download_info:
        page.click("button:has-text('下载电子证书（OFD）')")
    target = tmp_path / "zhangsan.ofd"
    download_info.value.save_as(target)
    result = subprocess.run(
        [sys.executable, "-m", "registry.seal", "verify", str(target), "--trust",
         str(certificate_sandbox / "root.pem"), "--strict"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    page.click("text=打印")
    assert "具有法律效力的是加盖电子印章的 OFD 电子证书文件" in page.content()
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()

    # 李四: the renewal supersedes his certificate; the old one says so and links its successor.
    old = Certificate.objects.get(person__name="李四")
    approved("lisi", "corp_a", now, application_type=ApplicationType.RENEWAL, specialties=[Specialty.BUILDING])
    new = Certificate.objects.get(person__name="李四", status=CertificateStatus.VALID)
    ykb_sign_in(page, live_server, "李四（个人，已实名）")
    page.goto(f"{live_server.url}/certificates/{old.pk}/")
    assert page.inner_text("#status") == "已失效（已换发新证）"
    page.click("#successor")
    assert new.serial in page.content() and page.inner_text("#status") == "有效"
    page.wait_for_load_state("networkidle")  # the picture's request done before the test uses the database

    # Cancelling his last specialty cancels the certificate at once, in the employer's confirmation.
    approved("lisi", "corp_a", now, application_type=ApplicationType.CANCELLATION, specialties=[Specialty.BUILDING],
             details={"cancellation_reason": "解除劳动合同"})
    page.reload()
    assert page.inner_text("#status") == "已注销"
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()

    # 陈建国 claims the e-certificate of his paper certificate, keeping its validity.
    ykb_sign_in(page, live_server, "陈建国（个人，持纸质注册证书，可换领电子证书）")
    page.click("text=电子证书管理")
    page.click("text=领取电子证书")
    page.click("text=第一步：人脸识别（领取电子证书）")
    pass_face_check(page)
    signature = tmp_path / "signature.jpg"
    signature.write_bytes(signature_photo())
    page.set_input_files("#id_signature", str(signature))
    page.click("button:has-text('领取电子证书')")
    assert "有效期与纸质证书一致" in page.content()
    # Let the page's picture request finish before the test reads the database: on SQLite the live server
    # thread shares the test's connection.
    page.wait_for_load_state("networkidle")
    claimed = Certificate.objects.get(person__name="陈建国")
    paper = Registration.objects.get(person__name="陈建国").specialties.get()
    assert claimed.specialties[0]["valid_from"] == paper.valid_from.isoformat()
    assert claimed.specialties[0]["valid_to"] == paper.valid_to.isoformat()
