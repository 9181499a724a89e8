"""Journey 5: a holder of a paper certificate claims his e-certificate; its validity is the paper one's.

陈建国 (loaded as the old registry's paper holder) signs in through 渝快办: 电子证书管理 offers 领取电子证书;
claiming needs a face check first (refused without one), then a photo of his signature on white paper.
The new e-certificate carries the paper registration's specialty with exactly its validity, and its QR
link's landing page says 有效.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from registry.certificates.demo import demo_signature
from registry.journeys.tests.conftest import read_one

pytestmark = pytest.mark.browser

CHEN = "陈建国（个人，持纸质注册证书，可换领电子证书）"


def signature_on_paper() -> bytes:
    """A phone photo of a signature on white paper: the demo strokes on a white (not transparent) JPEG."""
    strokes = Image.open(io.BytesIO(demo_signature()))
    paper = Image.new("RGB", (strokes.width + 80, strokes.height + 80), (250, 250, 246))
    paper.paste(strokes, (40, 40), strokes)
    buffer = io.BytesIO()
    paper.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_paper_claim(journey):
    page = journey.page
    paper_query = ("SELECT s.{} FROM applications_registrationspecialty s JOIN applications_registration r "
                   "ON r.id = s.registration_id JOIN people_person p ON p.id = r.person_id WHERE p.name = ?")
    valid_from = date.fromisoformat(read_one(journey.system, paper_query.format("valid_from"), "陈建国"))
    valid_to = date.fromisoformat(read_one(journey.system, paper_query.format("valid_to"), "陈建国"))
    paper_number = read_one(journey.system, "SELECT r.paper_certificate_number FROM applications_registration r "
                            "JOIN people_person p ON p.id = r.person_id WHERE p.name = ?", "陈建国")

    journey.ykb_sign_in(CHEN)
    page.get_by_role("link", name="电子证书管理").first.click()
    journey.check("certificates")
    main = page.locator("main")
    assert "您目前没有有效的电子注册证书" in main.inner_text()
    assert paper_number in main.inner_text()
    page.get_by_role("link", name="领取电子证书").click()
    journey.check("claim")
    assert page.get_by_label("纸质注册证书编号").input_value() == paper_number

    # Without the face check the claim is refused and sends him to it.
    page.get_by_label("手写签名照片").set_input_files(
        {"name": "signature.jpg", "mimeType": "image/jpeg", "buffer": signature_on_paper()})
    page.get_by_role("button", name="第二步：领取电子证书").click()
    journey.check()
    assert "/face" in page.url
    journey.face_check()
    page.wait_for_url("**/certificates/claim/**")
    journey.check("claim-face-passed")
    assert "人脸识别已通过" in page.locator("main").inner_text()

    # A file that is not a picture is refused with its reason; the photo of the signature is accepted.
    page.get_by_label("手写签名照片").set_input_files(
        {"name": "signature.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"})
    page.get_by_role("button", name="领取电子证书").click()
    journey.check("claim-refused")
    assert page.locator(".errorlist").count() >= 1
    page.get_by_label("手写签名照片").set_input_files(
        {"name": "signature.jpg", "mimeType": "image/jpeg", "buffer": signature_on_paper()})
    page.get_by_role("button", name="领取电子证书").click()
    journey.check("issued")
    text = page.locator("main").inner_text()
    assert "电子证书已签发" in text and "有效期与纸质证书一致" in text
    assert f"（有效期：{valid_from.isoformat()} 至 {valid_to.isoformat()}）" in text, text

    landing = page.locator("#verification-link").get_attribute("href")
    page.get_by_role("link", name="返回电子证书管理").click()
    journey.check("certificates-after")
    assert f"有效期至\n{chinese(valid_to)}" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="领取电子证书").count() == 0
    journey.sign_out()

    page.goto(landing)
    journey.check("landing")
    assert page.locator("#outcome").inner_text() == "核验结果：有效"
    assert chinese(valid_to) in page.locator("main").inner_text()
