"""Journey 2: a renewal (延续注册) supersedes the e-certificate: the old QR says 已失效 and links the new one.

李四 is the demo's holder inside the renewal window (load_demo: his building registration ends in 60 days;
the window is 90 to 30 days before expiry, checked when the application is created — 陈建国, years from
his expiry, is refused at once). 李四 applies, uploads, passes the face check and submits; 重庆山城
confirms; the reviewer approves; his new certificate is valid with the new validity, and the old
certificate's QR landing page says 已失效 with a link to the new one's, which says 有效.

Journey 4 cancels 李四's registration on the same started system, so the journeys conftest runs it after
this one in each viewport (journey 4 reads whichever certificate is current, so it holds either way).
"""

from __future__ import annotations

from datetime import date

import pytest

from registry.journeys.tests.conftest import read_one

pytestmark = pytest.mark.browser

LI = "李四（个人，已实名）"
CHEN = "陈建国（个人，持纸质注册证书，可换领电子证书）"
BUILDING = "10401001"


def test_renewal(journey):
    page = journey.page

    # Outside the window the renewal is refused when it is created, with the window's dates.
    chens = read_one(journey.system, "SELECT s.specialty FROM applications_registrationspecialty s JOIN "
                     "applications_registration r ON r.id = s.registration_id JOIN people_person p "
                     "ON p.id = r.person_id WHERE p.name = ?", "陈建国")
    journey.ykb_sign_in(CHEN)
    journey.goto("/applications/new/?type=renewal")
    page.check(f"input[name=specialties][value='{chens}']")
    page.get_by_role("button", name="创建申请").click()
    journey.check("renewal-too-early")
    assert "尚未到申请期，请在申请期内提出" in page.locator("main").inner_text()
    assert "申请已创建" not in page.content()
    journey.sign_out()

    query = ("SELECT s.valid_to FROM applications_registrationspecialty s JOIN applications_registration r "
             "ON r.id = s.registration_id JOIN people_person p ON p.id = r.person_id "
             "WHERE p.name = ? AND s.specialty = ?")
    old_valid_to = date.fromisoformat(read_one(journey.system, query, "李四", BUILDING))

    journey.ykb_sign_in(LI)
    page.get_by_role("link", name="电子证书管理").first.click()
    journey.check()
    page.get_by_role("link", name="下载电子证书（OFD）").first.click()
    journey.check("old-certificate")
    old_landing = page.locator("#verification-link").get_attribute("href")

    journey.goto("/applications/new/")
    page.get_by_label("申请类型").select_option("renewal")
    page.wait_for_url("**type=renewal**")
    journey.check()
    page.check(f"input[name=specialties][value='{BUILDING}']")
    journey.shot("new-renewal")
    page.get_by_role("button", name="创建申请").click()
    journey.check("created")
    assert "申请已创建" in page.content()
    application_url = page.url
    journey.upload(("application_form", "education", "contract"))
    journey.submit_with_face_check(application_url)
    number = journey.latest_reference("李四", "renewal")
    journey.sign_out()

    journey.employer_sign_in()
    journey.goto("/applications/employer/")
    page.locator("main a", has_text=number).first.click()
    journey.check("employer-application")
    page.click("#confirm-application")
    journey.check("confirmed")
    journey.sign_out()
    journey.accept_when_due(number)  # on its acceptance day, the 2nd working day after the report

    journey.sign_in("reviewer")
    page.locator("main a", has_text=number).first.click()
    journey.check("review")
    page.click("#approve-application")
    journey.check("approved")
    assert "已批准" in page.content()
    journey.sign_out()

    # The old certificate's QR: superseded, with the way to the new one, which is valid.
    journey.old_qr_leads_to_the_new_certificate(old_landing)

    new_valid_to = date.fromisoformat(read_one(journey.system, query, "李四", BUILDING))
    assert new_valid_to > old_valid_to
    journey.ykb_sign_in(LI)
    page.goto(application_url)
    journey.check("application-approved")
    page.locator("#certificate-link").click()
    journey.check("new-certificate")
    text = page.locator("main").inner_text()
    assert "有效" in text and f"至 {new_valid_to.isoformat()}" in text
    assert page.locator("#verification-link").get_attribute("href") != old_landing
