"""An initial registration from draft to approval, clicked through in a real headless Chromium."""

from __future__ import annotations

import io
import os

import pytest
from django.db import connections
from PIL import Image

from registry.applications.models import Application, ApplicationStatus, Registration
from registry.applications.tests.conftest import PDF_BYTES

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server, chromium):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
        yield context.new_page()
        browser.close()
        # ORM calls made while Playwright's loop runs get their own connection (asgiref's Local follows the
        # loop's context); close it here, or PostgreSQL cannot drop the test database at the end.
        connections.close_all()


def sign_in(page, live_server, username: str) -> None:
    from registry.demo import DEMO_PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def files(tmp_path):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(PDF_BYTES)
    photo = tmp_path / "photo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (295, 413), (230, 230, 240)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    return pdf, photo


def ykb_sign_in(page, live_server, label: str) -> None:
    """Sign in through the simulated 渝快办 as the test identity with this label."""
    page.goto(f"{live_server.url}/login/")
    page.click("#ykb-login")
    page.wait_for_url("**/ykb-sim/authorize**")
    page.check(f"text={label}")
    page.click("button[name=allow]")
    page.wait_for_url(lambda url: "/ykb-sim/" not in url)


@pytest.mark.django_db(transaction=True)
def test_an_initial_application_goes_from_draft_to_approval(page, live_server, settings, tmp_path):
    """The journey of issues #2 and #4: 渝快办 sign-in, face check, identity lock, confirmation, approval."""
    from django.core.management import call_command

    from registry.workcalendar.services import seed_missing_years

    seed_missing_years()  # a transactional test before this one may have flushed the seeded calendar
    settings.ACCEPT_ON_WORKDAY = 0  # accept at once, as the demo does, so one sitting reaches the reviewer
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.YKB_ISSUER = live_server.url + "/ykb-sim"
    call_command("load_demo", stdout=io.StringIO())
    pdf, photo = files(tmp_path)
    employer = Registration.objects.get(person__name="李四").employer

    # The applicant signs in through 渝快办 and creates the application.
    ykb_sign_in(page, live_server, "张三（个人，已实名）")
    page.goto(f"{live_server.url}/applications/new/")
    page.select_option("#id_application_type", "initial")
    page.fill("#id_employer_credit_code", employer.credit_code)
    page.check("input[name=specialties][value='10401001']")
    page.click("main form button[type=submit]")
    assert "申请已创建" in page.content()
    application = Application.objects.get(person__name="张三")

    # Uploads every required material; a wrong file is refused with a reason and loses nothing.
    page.select_option("#id_kind", "contract")
    page.set_input_files("#id_file", {"name": "note.txt", "mimeType": "text/plain", "buffer": b"hello"})
    page.click("#upload-material")
    assert "只接受 PDF、JPEG 或 PNG 文件" in page.content()
    for kind in ("application_form", "id_document", "qualification", "diploma", "contract", "photo", "signature"):
        page.select_option("#id_kind", kind)
        page.set_input_files("#id_file", str(photo if kind in {"photo", "signature"} else pdf))
        page.click("#upload-material")
        assert "材料已上传" in page.content()

    # Submitting needs a face check: refused first, then passed on the simulated provider.
    page.click("#submit-application")
    assert "请先完成人脸识别" in page.content()
    page.click("a:has-text('人脸识别')")
    page.click("#start-face")
    page.wait_for_url("**/ykb-sim/face/**")
    page.click("button[name=pass]")
    page.wait_for_load_state()
    page.wait_for_url(f"**/applications/{application.pk}/")
    page.click("#submit-application")
    assert "等待聘用企业确认" in page.content()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_EMPLOYER
    page.context.clear_cookies()

    # The employer's legal person signs in, authenticates with the identity lock and confirms.
    ykb_sign_in(page, live_server, "赵山城（法人：重庆山城建设工程有限公司，用身份锁认证）")
    page.click("#lock-auth")
    page.click("button:has-text('使用身份锁签名')")
    page.click("#lock-return")  # the driver posts the answer back (never in a URL)
    page.wait_for_url(lambda url: "/ykb-sim/" not in url)
    page.goto(f"{live_server.url}/applications/employer/")
    page.click(f"text={application.reference}")
    page.click("#confirm-application")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.receipt_number
    page.context.clear_cookies()

    # The reviewer finds it in the queue and approves.
    sign_in(page, live_server, "reviewer")
    page.click(f"text={application.reference}")
    assert "数据比对结果" in page.content()
    page.click("#approve-application")
    assert "已批准注册" in page.content()
    page.context.clear_cookies()

    # The applicant sees the decision and the new registration.
    ykb_sign_in(page, live_server, "张三（个人，已实名）")
    page.goto(f"{live_server.url}/applications/")
    page.screenshot(path=str(tmp_path / "mine.png"), full_page=True)
    content = page.content()
    assert "已批准" in content and "渝250" in content
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_choosing_a_type_and_a_change_kind_opens_the_form_at_once(page, live_server, world):
    """The script submits each choice when it is made; the server then shows only that kind's fields."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(world.registered)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.goto(f"{live_server.url}/applications/new/")
    page.select_option("#id_application_type", "change")
    page.wait_for_url("**/applications/new/?type=change")
    page.select_option("#id_change_kind", "personal")
    page.wait_for_url("**/applications/new/?type=change&change_kind=personal")
    assert page.locator("#chosen-change-kind").inner_text() == "个人信息变更"
    assert page.locator("#id_new_mobile").is_visible()
    assert page.locator("#id_employer_credit_code, #id_enterprise_name, #id_specialties").count() == 0
