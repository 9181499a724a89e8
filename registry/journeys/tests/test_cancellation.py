"""Journey 4: a cancellation (注销注册) confirmed by the employer cancels the certificate at once.

李四 holds an e-certificate (load_certificate_demo). He applies to cancel every registered specialty,
uploads the two materials a cancellation needs, passes the face check and submits; 赵山城, the legal
person of 重庆山城 (authenticated with the identity lock), confirms; the certificate's QR link, read from
his certificate page before, now opens a landing page that says 已注销 — no reviewer, no waiting.

The link is read from whichever certificate is current when the journey starts, so it holds whether or
not 李四's renewal (journey 2) ran before it on the same system.
"""

from __future__ import annotations

import pytest

from registry.journeys.tests.conftest import read_one

pytestmark = pytest.mark.browser

LI = "李四（个人，已实名）"


def test_cancellation(journey):
    page = journey.page
    journey.ykb_sign_in(LI)
    page.get_by_role("link", name="电子证书管理").first.click()
    journey.check("certificates")
    page.get_by_role("link", name="下载电子证书（OFD）").first.click()
    journey.check("certificate")
    landing = page.locator("#verification-link").get_attribute("href")
    assert "/certificates/verify/" in landing
    page.goto(landing)
    journey.check()
    assert page.locator("#outcome").inner_text() == "核验结果：有效"

    # The cancellation: only its own fields, every specialty he holds, a reason.
    journey.goto("/applications/new/")
    page.get_by_label("申请类型").select_option("cancellation")
    page.wait_for_url("**type=cancellation**")
    journey.check()
    assert page.locator("#chosen-type").inner_text() == "注销注册"
    assert page.get_by_label("变更类型").count() == 0
    boxes = page.locator("input[name=specialties]")
    registered = read_one(journey.system, "SELECT s.specialty FROM applications_registrationspecialty s "
                          "JOIN applications_registration r ON r.id = s.registration_id JOIN people_person p "
                          "ON p.id = r.person_id WHERE p.name = ? AND s.status = 'active'", "李四")
    page.check(f"input[name=specialties][value='{registered}']")
    assert boxes.count() >= 1
    page.get_by_label("注销原因").fill("本人申请注销，不再从事建造师执业")
    journey.shot("new-cancellation")
    page.get_by_role("button", name="创建申请").click()
    journey.check("created")
    assert "申请已创建" in page.content()
    application_url = page.url

    journey.upload(("application_form", "cancellation_proof"))

    journey.submit_with_face_check(application_url)
    number = journey.latest_reference("李四", "cancellation")
    journey.sign_out()

    # Before the employer confirms, the certificate is still valid.
    page.goto(landing)
    journey.check()
    assert page.locator("#outcome").inner_text() == "核验结果：有效"

    journey.employer_sign_in()
    journey.goto("/applications/employer/")
    page.locator("main a", has_text=number).first.click()
    journey.check("employer-application")
    page.click("#confirm-application")
    journey.check("confirmed")
    journey.sign_out()

    # At once: the old QR link, scanned by another phone, says cancelled (no acceptance sweep, no reviewer).
    # Another browser: this one may still hold the page it fetched seconds ago (the landing page allows
    # a 5-second cache).
    scanner = page.context.browser.new_context(viewport=page.viewport_size, locale="zh-CN", bypass_csp=True)
    journey.page = scanner.new_page()
    try:
        journey.page.goto(landing)
        journey.check("landing-cancelled")
        assert journey.page.locator("#outcome").inner_text() == "核验结果：已注销"
        assert "证书不再有效" in journey.page.locator("main").inner_text()
    finally:
        scanner.close()
        journey.page = page

    # 李四 sees the application done and the certificate cancelled.
    journey.ykb_sign_in(LI)
    page.goto(application_url)
    journey.check("application-done")
    page.get_by_role("link", name="电子证书管理").first.click()
    journey.check("certificates-after")
    assert "已注销" in page.locator("main").inner_text()
