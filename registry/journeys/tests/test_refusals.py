"""Journey 6: the refusals a person meets.

``test_refusals``: a return by the employer, edited and resubmitted with a face check, then a failed data
comparison shown to the applicant with its reasons (不予受理). 王五 is the demo's new user: he has no
qualification on record, so the comparison with the registries refuses his initial registration.

``test_supplement_and_refusal``: 吴敏 holds a qualification and no registration, so her initial registration
passes the comparison and reaches the reviewer. The reviewer asks for 补正 naming the material; she sees the
banner with the reason and what she has still to upload, the upload offers only her application's kinds, and
the decision deadline stands still with the working days it had left; she uploads, answers with a face check
and the clock runs again with those days. The reviewer then refuses with reasons, and she opens the
不予许可决定书 from her application: its number, the reasons and the notice of her rights.
"""

from __future__ import annotations

import re

import pytest

from registry.journeys.tests.test_initial_registration import MATERIALS
from registry.ykb_sim.demo import LOCK_ENTERPRISE_CREDIT_CODE

pytestmark = pytest.mark.browser

WANG = "王五（个人，新用户）"
WU = "吴敏（个人，已取得建筑工程资格，尚未注册）"


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
    application_url = journey.create_initial_application(LOCK_ENTERPRISE_CREDIT_CODE)
    journey.upload(MATERIALS)
    submit_with_face_check(journey, application_url, "#submit-application")
    assert "等待聘用企业确认" in page.content()
    number = journey.latest_reference("王五")
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


def fact(page, term: str) -> str:
    """Return the text of the application page's fact named term (its <dd> after the <dt>)."""
    return page.locator(f"xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]").inner_text().strip()


def deadline(page) -> tuple[str, int]:
    """Return the decision deadline the page shows while under review: its date and the working days left."""
    shown = re.fullmatch(r"(\d{4}年\d{1,2}月\d{1,2}日)（剩余 (\d+) 个工作日）", fact(page, "办结期限"))
    assert shown, fact(page, "办结期限")
    return shown.group(1), int(shown.group(2))


def open_in_queue(journey, reference: str) -> None:
    journey.sign_in("reviewer")
    journey.goto("/applications/review/")
    journey.page.locator("main a", has_text=reference).first.click()
    journey.check()


def test_supplement_and_refusal(journey):
    page = journey.page
    journey.ykb_sign_in(WU)
    application_url = journey.create_initial_application(LOCK_ENTERPRISE_CREDIT_CODE)
    journey.upload(MATERIALS)
    journey.submit_with_face_check(application_url)
    number = journey.latest_reference("吴敏")
    journey.sign_out()

    journey.employer_sign_in()
    journey.goto("/applications/employer/")
    page.locator("main a", has_text=number).first.click()
    page.click("#confirm-application")
    journey.check()
    journey.sign_out()
    journey.accept_when_due(number)

    # The reviewer sees the deadline running and asks for 补正, naming the material.
    open_in_queue(journey, number)
    due_before, left_before = deadline(page)
    assert left_before > 0
    page.get_by_label("需要补正的材料").fill("劳动合同扫描件不清晰，请上传加盖单位公章的劳动合同清晰扫描件")
    page.get_by_role("button", name="要求补正").click()
    journey.check("supplement-requested")
    assert "已通知申请人补正材料，审查期限暂停。" in page.content()
    assert page.locator("#status").inner_text() == "待补正材料"
    journey.sign_out()

    # 吴敏: 我的申请 marks it; the banner says why and what is still to upload; the clock stands still.
    journey.ykb_sign_in(WU)
    journey.goto("/applications/")
    row = page.locator("main tr", has_text=number)
    assert "需要您处理" in row.inner_text()
    row.get_by_role("link", name=number).click()
    journey.check("supplement")
    banner = page.locator("#attention").inner_text()
    assert "审查部门要求补正材料" in banner
    assert "劳动合同扫描件不清晰，请上传加盖单位公章的劳动合同清晰扫描件" in banner
    assert "要求补正后尚未上传的材料：" in banner and "劳动合同或聘用证明" in banner
    assert fact(page, "审查期限") == f"补正期间暂停，剩余 {left_before} 个工作日"
    assert fact(page, "办结期限") == due_before  # shown without days left: they are not counting down
    # The 补正 upload offers this application's kinds only (an initial registration's), not all twelve.
    offered = page.locator("#id_kind option").evaluate_all("options => options.map(o => o.value).filter(v => v)")
    assert sorted(offered) == sorted(MATERIALS)
    journey.upload(["contract"])
    banner = page.locator("#attention").inner_text()
    assert "劳动合同或聘用证明" not in banner and "注册申请表" in banner  # the others are still to re-upload
    journey.upload([kind for kind in MATERIALS if kind != "contract"])
    assert "各类材料均已重新上传，可以提交补正。" in page.locator("#attention").inner_text()

    # Answering is a submission: refused without a face check, then accepted; the clock runs again.
    page.get_by_role("button", name="提交补正").click()
    journey.check()
    assert "提交补正前须完成人脸识别" in page.content()
    assert page.locator("#status").inner_text() == "待补正材料"
    page.click("a:has-text('人脸识别')")
    journey.check()
    journey.face_check()
    page.wait_for_url(application_url)
    page.get_by_label("补正说明（可选）").fill("已上传加盖公章的劳动合同扫描件")
    page.get_by_role("button", name="提交补正").click()
    journey.check("supplement-answered")
    assert "补正材料已提交，审查继续。" in page.content()
    assert page.locator("#status").inner_text() == "已受理，审查中"
    assert not page.locator("#attention").count()
    # Resumed on the day it was paused with the days it had left: the same deadline, counting again.
    assert deadline(page) == (due_before, left_before)
    timeline = page.locator(".timeline").inner_text()
    assert "审批人员要求补正材料（审查期限暂停）" in timeline and "申请人已补正材料（审查期限恢复）" in timeline
    journey.sign_out()

    # The reviewer refuses with reasons, one a line.
    open_in_queue(journey, number)
    assert deadline(page) == (due_before, left_before)
    reasons = ["申请人提交的劳动合同未载明聘用期限", "聘用企业不能提供申请人的社会保险缴纳证明"]
    page.get_by_label("不予注册理由（每行一条）").fill("\n".join(reasons))
    page.get_by_role("button", name="不予注册").click()
    journey.check("refused")
    assert "已作出不予注册决定。" in page.content()
    journey.sign_out()

    # 吴敏 reads the decision and opens its 不予许可决定书 from the application's page.
    journey.ykb_sign_in(WU)
    page.goto(application_url)
    journey.check("refused-applicant")
    assert page.locator("#status").inner_text() == "不予注册"
    assert all(reason in fact(page, "理由") for reason in reasons)
    entry = page.locator("#refusal-decision")
    entry_text = entry.inner_text()
    assert "行政复议" in entry_text
    entry.get_by_role("link", name="查看并打印").click()
    journey.check("refusal-decision")
    assert page.url == application_url + "refusal-decision/"
    document_number = page.locator("#document-number").inner_text()
    year = re.fullmatch(r"渝建二建不许〔(\d{4})〕\d{4}号", document_number)
    assert year, document_number
    assert document_number in entry_text  # the application's page names the same letter
    letter = page.locator(".decision-letter")
    signed = re.search(r"(\d{4})年\d{1,2}月\d{1,2}日\s*$", letter.locator(".signature").inner_text())
    assert signed and signed.group(1) == year.group(1)  # numbered in the year it was decided
    assert [item.strip() for item in letter.locator(".decision-reasons li").all_inner_texts()] == reasons
    assert "吴敏" in letter.inner_text() and number in letter.inner_text()
    rights = page.locator("#rights-notice").inner_text()
    assert "六十日内" in rights and "行政复议" in rights and "六个月内" in rights and "行政诉讼" in rights
