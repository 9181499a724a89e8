"""Journey 3: a change of employer (变更注册 · 执业企业变更), decided within 3 working days, with both employers' parts.

吴志强 (load_demo) is registered with 重庆两江路桥 and holds an e-certificate (load_certificate_demo). He
applies to change to 重庆山城, uploads the three materials the type needs (申请表, the new 劳动合同, the
解除劳动合同证明或工作调动证明 of the old one), passes the face check and submits. The NEW employer confirms
it: 赵山城, 重庆山城's legal person (identity lock). Compared, it waits for its acceptance day; the
acceptance sweep is moved there; the application's page then shows 办结期限 three working days after the
acceptance (附件三: 变更注册自受理之日起3个工作日内办结), as `manage.py workdays add` counts them, and the
reviewer approves. His new certificate names the new employer; the old certificate's QR says 已失效.

The old employer's part: it confirms nothing (the rules give the confirmation to the employer the person
joins; the 解除劳动合同证明 is the old employer's paper in the application). Its operators are told when the
change is approved (a notice under 最新通知: he is no longer on its staff) and see it on 本单位注册人员: 吴志强
on its staff before, and after the approval no longer on it but under 已调出本单位的人员 as 已变更至其他单位
(neither says where he went). The new employer has him on its staff.
corp_b, 重庆两江路桥's operator, signs in with the demo password.

The system's clock moves to the acceptance day (Journey.accept_when_due), so the approval, the new
certificate and the move's date on the old employer's page are dated from that day on.

The journeys conftest runs this one after journey 1 on each viewport's system: journey 1 shows 赵山城's
first identity-lock authentication, this one signs him in whether or not he is bound already.
"""

from __future__ import annotations

import pytest

from registry.journeys.tests.conftest import chinese_date, read_one
from registry.ykb_sim.demo import LOCK_ENTERPRISE_CREDIT_CODE, LOCK_ENTERPRISE_NAME

pytestmark = pytest.mark.browser

WU = "吴志强（个人，已注册，可变更执业企业）"
OLD_EMPLOYER = "重庆两江路桥建设有限公司"
MATERIALS = ("application_form", "contract", "termination")


def flat(text: str) -> str:
    return "".join(text.split())


def staff_page(journey) -> tuple[str, str]:
    """Open 本单位注册人员 and return the text of the staff table and of the moved-away table."""
    journey.page.get_by_role("link", name="本单位注册人员").first.click()
    journey.check()
    tables = journey.page.locator("main table")
    return tables.first.inner_text(), journey.page.locator("#moved-away").inner_text()


def test_change_of_employer(journey):
    page = journey.page

    # The old employer has him on its staff.
    journey.sign_in("corp_b")
    staff, moved = staff_page(journey)
    journey.shot("old-employer-staff-before")
    assert "吴志强" in staff and "吴志强" not in moved
    journey.sign_out()

    # His current certificate names the old employer; its QR link is kept to scan later.
    journey.ykb_sign_in(WU)
    page.get_by_role("link", name="电子证书管理").first.click()
    journey.check()
    page.get_by_role("link", name="下载电子证书（OFD）").first.click()
    journey.check("old-certificate")
    assert f"聘用企业{OLD_EMPLOYER}" in flat(page.locator("main").inner_text())
    old_landing = page.locator("#verification-link").get_attribute("href")

    # The change of employer: the type, the kind, the new employer's credit code.
    journey.goto("/applications/new/")
    page.get_by_label("申请类型").select_option("change")
    page.wait_for_url("**type=change**")
    journey.check()
    page.get_by_label("变更类型").select_option("employer")
    page.fill("#id_employer_credit_code", LOCK_ENTERPRISE_CREDIT_CODE)
    journey.shot("new-change")
    page.get_by_role("button", name="创建申请").click()
    journey.check("created")
    assert "申请已创建" in page.content()
    assert "变更注册（执业企业变更）" in page.locator("h1").inner_text()
    assert f"聘用企业{LOCK_ENTERPRISE_NAME}" in flat(page.locator("main").inner_text())
    application_url = page.url
    # The materials of this type, the old employer's release among them.
    listed = page.locator("main table").first.inner_text()
    assert "解除劳动合同证明或工作调动证明" in listed and "资格证书" not in listed
    journey.upload(MATERIALS)
    journey.submit_with_face_check(application_url)
    number = journey.latest_reference("吴志强", "change")
    journey.sign_out()

    # The NEW employer's legal person confirms.
    journey.employer_sign_in()
    journey.goto("/applications/employer/")
    page.locator("main a", has_text=number).first.click()
    journey.check("new-employer-application")
    page.click("#confirm-application")
    journey.check("confirmed")
    journey.sign_out()

    # Accepted on its day; the decision is due 3 working days after the acceptance.
    accepted_on = journey.accept_when_due(number)
    due_on = journey.workday_after(accepted_on, 3)
    assert due_on > accepted_on
    journey.ykb_sign_in(WU)
    page.goto(application_url)
    journey.check("accepted")
    main = flat(page.locator("main").inner_text())
    assert page.locator("#status").inner_text() == "已受理，审查中"
    assert f"办结期限{chinese_date(due_on)}" in main
    page.get_by_role("link", name="查看并打印").click()
    journey.check("receipt")
    receipt = flat(page.locator("main").inner_text())
    assert f"受理日期{chinese_date(accepted_on)}" in receipt and f"承诺办结期限{chinese_date(due_on)}" in receipt
    journey.sign_out()

    journey.sign_in("reviewer")
    page.locator("main a", has_text=number).first.click()
    journey.check("review")
    # The system's clock is on the acceptance day: all three working days are left.
    assert f"办结期限{chinese_date(due_on)}（剩余3个工作日）" in flat(page.locator("main").inner_text())
    page.click("#approve-application")
    journey.check("approved")
    assert "已批准" in page.content()
    journey.sign_out()

    # His application shows the decision and the deadline; the new certificate names the new employer.
    journey.ykb_sign_in(WU)
    page.goto(application_url)
    journey.check("application-approved")
    main = flat(page.locator("main").inner_text())
    assert page.locator("#status").inner_text() == "已批准"
    assert f"办结期限{chinese_date(due_on)}" in main
    page.locator("#certificate-link").click()
    journey.check("new-certificate")
    text = flat(page.locator("main").inner_text())
    assert f"聘用企业{LOCK_ENTERPRISE_NAME}" in text and page.locator("#status").inner_text() == "有效"
    new_landing = page.locator("#verification-link").get_attribute("href")
    assert new_landing != old_landing
    journey.sign_out()

    # The old certificate's QR: superseded, with the way to the new one.
    journey.old_qr_leads_to_the_new_certificate(old_landing)

    # The old employer: a notice, and he is no longer on its staff but listed as moved to another employer.
    journey.sign_in("corp_b")
    journey.goto("/applications/employer/")
    journey.shot("old-employer-notice")
    notices = page.locator("main").inner_text()
    registration_number = read_one(journey.system, "SELECT r.number FROM applications_registration r JOIN "
                                   "people_person p ON p.id = r.person_id WHERE p.name = ?", "吴志强")
    assert f"本单位注册人员吴志强（注册编号{registration_number}）已变更执业企业，不再是本单位注册人员。" in notices
    staff, moved = staff_page(journey)
    journey.shot("old-employer-staff-after")
    assert "吴志强" not in staff
    assert "吴志强" in moved and "已变更至其他单位" in moved and LOCK_ENTERPRISE_NAME not in moved
    journey.sign_out()

    # The new employer has him on its staff.
    journey.employer_sign_in()
    staff, moved = staff_page(journey)
    journey.shot("new-employer-staff")
    assert "吴志强" in staff and "吴志强" not in moved
