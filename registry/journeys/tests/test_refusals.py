"""Journey 6 (part): a return by the employer, edited and resubmitted with a face check, then a failed data
comparison shown to the applicant with its reasons (不予受理).

王五 is the demo's new user: he has no qualification on record, so the comparison with the registries
refuses his initial registration. Not yet here: 补正 requested and answered, a refusal by the reviewer
and its decision letter.
"""

from __future__ import annotations

import pytest

from registry.journeys.tests.conftest import read_one
from registry.journeys.tests.test_initial_registration import MATERIALS
from registry.ykb_sim.demo import LOCK_ENTERPRISE_CREDIT_CODE

pytestmark = pytest.mark.browser

WANG = "王五（个人，新用户）"


def submit_with_face_check(journey, application_url: str, button: str) -> None:
    page = journey.page
    page.click("a:has-text('人脸识别')")
    journey.check()
    journey.face_check()
    page.wait_for_url(application_url)
    page.click(button)
    journey.check()


def test_refusals(journey):
    page = journey.page
    journey.ykb_sign_in(WANG)
    journey.goto("/applications/new/?type=initial")
    page.fill("#id_employer_credit_code", LOCK_ENTERPRISE_CREDIT_CODE)
    page.check("input[name=specialties][value='10401001']")
    page.get_by_role("button", name="创建申请").click()
    journey.check()
    assert "申请已创建" in page.content()
    application_url = page.url
    journey.upload(MATERIALS)
    submit_with_face_check(journey, application_url, "#submit-application")
    assert "等待聘用企业确认" in page.content()
    number = read_one(journey.system, "SELECT a.reference FROM applications_application a JOIN people_person p "
                      "ON p.id = a.person_id WHERE p.name = ? ORDER BY a.id DESC", "王五")
    journey.sign_out()

    # The employer returns it with a reason.
    journey.employer_sign_in()
    journey.goto("/applications/employer/")
    page.locator("main a", has_text=number).first.click()
    journey.check()
    page.get_by_label("退回原因").fill("劳动合同应为本单位盖章版本")
    page.get_by_role("button", name="退回申请人修改").click()
    journey.check("employer-returned")
    journey.sign_out()

    # 王五 sees the banner with the reason and what to do; he edits and resubmits after a face check.
    journey.ykb_sign_in(WANG)
    page.goto(application_url)
    journey.check("returned")
    banner = page.locator("#attention")
    assert "劳动合同应为本单位盖章版本" in banner.inner_text()
    page.get_by_role("link", name="修改申请信息").click()
    journey.check("edit")
    page.locator("main form button[type=submit]").first.click()  # saved as it is (the return asked for a new file)
    journey.check()
    page.goto(application_url)
    assert page.locator("#status").inner_text() == "单位退回修改"
    page.click("#submit-application")
    journey.check()
    assert "请先完成人脸识别" in page.content()
    submit_with_face_check(journey, application_url, "#submit-application")
    assert "等待聘用企业确认" in page.content()
    journey.sign_out()

    # Confirmed again: the comparison finds no qualification and refuses to accept, with its reasons.
    journey.employer_sign_in()
    journey.goto("/applications/employer/")
    page.locator("main a", has_text=number).first.click()
    page.click("#confirm-application")
    journey.check()
    journey.sign_out()
    journey.ykb_sign_in(WANG)
    page.goto(application_url)
    journey.check("not-accepted")
    main = page.locator("main").inner_text()
    assert page.locator("#status").inner_text() == "不予受理"
    assert "数据比对结果" in main and "未通过" in main
    assert "资格库中未找到申请人建筑工程专业的资格证书" in main
