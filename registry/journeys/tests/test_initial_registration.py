"""Journey 1: an initial registration end to end, through the pages only.

张三 signs in through the simulated 渝快办, applies, uploads every material (a wrong file refused with its
reason), passes the simulated face check, submits; his employer's legal person signs in with the identity
lock and confirms; it waits, compared, for its acceptance day (the 2nd working day after the report: the
journeys' system runs on the authority's rule), the acceptance sweep is moved to that day and 张三 reads his
受理凭证 with the 10-working-day deadline; the reviewer approves; 张三 downloads the sealed OFD after a face check, and the QR code
read from the rendered picture of his certificate page opens the live landing page: 有效.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from registry.certificates.tests.helpers import qr_texts
from registry.journeys.tests.conftest import chinese_date
from registry.ykb_sim.demo import LOCK_ENTERPRISE_CREDIT_CODE

pytestmark = pytest.mark.browser

MATERIALS = ("application_form", "id_document", "qualification", "diploma", "contract", "photo", "signature")
SHANCHENG = "赵山城（法人：重庆山城建设工程有限公司，用身份锁认证）"


def test_initial_registration(journey, tmp_path):
    page = journey.page
    journey.ykb_sign_in("张三（个人，已实名）")
    journey.shot("home")
    journey.goto("/applications/new/")
    page.select_option("#id_application_type", "initial")
    page.fill("#id_employer_credit_code", LOCK_ENTERPRISE_CREDIT_CODE)
    page.check("input[name=specialties][value='10401001']")
    journey.shot("new-application")
    page.locator("main form button[type=submit]").click()
    journey.check("created")
    assert "申请已创建" in page.content()

    # A text file is refused with its reason; then every required material goes in.
    page.select_option("#id_kind", "contract")
    page.set_input_files("#id_file", {"name": "note.txt", "mimeType": "text/plain", "buffer": b"hello"})
    page.click("#upload-material")
    journey.check()
    assert "只接受 PDF、JPEG 或 PNG 文件" in page.content()
    journey.upload(MATERIALS)
    application_url = page.url

    # Submitting needs the face check first (simulated 渝快办), then goes to the employer.
    journey.submit_with_face_check(application_url)
    number = journey.latest_reference("张三")
    journey.sign_out()

    # The employer's legal person authenticates with the identity lock and confirms.
    journey.ykb_sign_in(SHANCHENG)
    page.click("#lock-auth")
    journey.check()
    page.click("button:has-text('使用身份锁签名')")
    page.click("#lock-return")
    page.wait_for_url(lambda url: "/ykb-sim/" not in url)
    journey.goto("/applications/employer/")
    journey.shot("employer-list")
    page.locator("main a", has_text=number).first.click()
    journey.check("employer-application")
    page.click("#confirm-application")
    journey.check("confirmed")
    reported_on = journey.system_today()
    journey.sign_out()

    # Reported and compared, it waits for its acceptance day: the 2nd working day after the report.
    accept_on = journey.workday_after(reported_on, 2)
    journey.ykb_sign_in("张三（个人，已实名）")
    page.goto(application_url)
    journey.check("pending-acceptance")
    assert page.locator("#status").inner_text() == "已上报，待受理"
    assert f"预计受理日期{chinese_date(accept_on)}" in "".join(page.locator("main").inner_text().split())
    assert "受理凭证" not in page.locator("main").inner_text()
    journey.sign_out()

    # The clock moves to that day: the acceptance sweep accepts it with a receipt and the 10-day deadline.
    assert journey.accept_when_due(number) == accept_on
    due_on = journey.workday_after(accept_on, 10)
    journey.ykb_sign_in("张三（个人，已实名）")
    page.goto(application_url)
    journey.check("accepted")
    assert page.locator("#status").inner_text() == "已受理，审查中"
    page.get_by_role("link", name="查看并打印").click()
    journey.check("receipt")
    receipt = "".join(page.locator("main").inner_text().split())
    assert "二级建造师注册申请受理凭证" in receipt and number in receipt
    assert f"受理日期{chinese_date(accept_on)}" in receipt
    assert f"承诺办结期限{chinese_date(due_on)}" in receipt
    journey.sign_out()

    # The reviewer sees the comparison and approves.
    journey.sign_in("reviewer")
    journey.shot("review-queue")
    page.locator("main a", has_text=number).first.click()
    journey.check("review")
    assert "数据比对结果" in page.content()
    page.click("#approve-application")
    journey.check("approved")
    assert "已批准注册" in page.content()
    journey.sign_out()

    # 张三: the certificate page, the OFD after a face check, and the QR code of the rendered picture.
    journey.ykb_sign_in("张三（个人，已实名）")
    page.get_by_role("link", name="电子证书管理").first.click()
    journey.check("certificates")
    page.get_by_role("link", name="下载电子证书（OFD）").first.click()
    journey.check("certificate")
    picture = page.locator("img.certificate-picture")
    # The picture the page shows, as the server rendered it (the browser's copy, with the session's cookies).
    source = picture.evaluate("img => img.currentSrc || img.src")
    answer = page.context.request.get(source)
    assert answer.ok and answer.headers["content-type"] == "image/png"
    rendered = Image.open(io.BytesIO(answer.body()))
    urls = qr_texts(rendered)
    assert len(urls) == 1 and "/certificates/verify/" in urls[0], urls
    page.get_by_role("link", name="人脸识别后下载电子证书（OFD）").click()
    journey.check()
    journey.face_check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载电子证书（OFD）").click()
    target = tmp_path / "certificate.ofd"
    download_info.value.save_as(target)
    with zipfile.ZipFile(target) as package:
        assert "OFD.xml" in package.namelist()
    journey.sign_out()

    page.goto(urls[0])
    journey.check("landing")
    assert "有效" in page.locator("main").inner_text()
