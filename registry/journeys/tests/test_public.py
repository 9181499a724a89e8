"""Journey 8, public: the registry search, the upload check of a tampered file, and a verification receipt.

Signed out: the registry search by registration number and name. Then 李四 downloads his certificate's OFD
after a face check, as a holder would, to hand it to someone; that someone uploads it at 上传核验, signed
out: 有效. One byte changed inside the signed page content makes the same upload say 文件被篡改. Last, the
live page the certificate's QR opens gives a 核验回执: an OFD sealed by the authority that verifies strictly
against the demo authority's root and states the certificate and the answer.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from registry.journeys.tests.conftest import read_one
from registry.ofd.reader import read_ofd
from registry.seal.certs import load_certificates_pem
from registry.seal.verify import Status, verify_ofd

pytestmark = pytest.mark.browser


def registered(system, name: str) -> str:
    """Return the registration number the demo data gave this person (read from the system's database)."""
    return read_one(system, "SELECT c.registration_number FROM certificates_certificate c JOIN people_person p "
                            "ON p.id = c.person_id WHERE p.name = ? ORDER BY c.id DESC", name)


def test_public_registry_search(journey):
    page = journey.page
    number = registered(journey.system, "李四")
    journey.goto("/certificates/search/")
    journey.shot("search")

    # A wrong name gets the same answer as an unknown number: nothing found.
    page.get_by_label("注册编号").fill(number)
    page.get_by_label("姓名").fill("李五")
    page.get_by_role("button", name="查询").click()
    journey.check("not-found")
    assert page.locator("#outcome").get_attribute("data-code") == "not_found"

    # The exact number and name find the certificate, and link its live page.
    page.get_by_label("注册编号").fill(number)
    page.get_by_label("姓名").fill("李四")
    page.get_by_role("button", name="查询").click()
    journey.check("found")
    assert page.locator("#outcome").get_attribute("data-code") == "valid"
    assert "有效" in page.locator("#outcome").inner_text()
    page.get_by_role("link", name="查看该证书的实时核验页面").click()
    journey.check("verify")
    assert "有效" in page.locator("main").inner_text()
    assert "李四" not in page.locator("main").inner_text()  # the public page masks the name


def holder_download(journey, target: Path) -> tuple[str, str]:
    """李四 downloads his certificate's OFD after a face check; return its serial and its live page's link."""
    page = journey.page
    journey.ykb_sign_in("李四（个人，已实名）")
    page.get_by_role("link", name="电子证书管理").first.click()
    journey.check()
    page.get_by_role("link", name="下载电子证书（OFD）").first.click()
    journey.check("certificate")
    serial = page.locator("h1").inner_text().split("·")[-1].strip()
    link = page.locator("#verification-link").get_attribute("href")
    page.get_by_role("link", name="人脸识别后下载电子证书（OFD）").click()
    journey.check()
    journey.face_check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载电子证书（OFD）").click()
    download_info.value.save_as(target)
    journey.sign_out()
    return serial, link


def tampered(original: Path, target: Path) -> None:
    """Rewrite the package with one digit changed in the text of its first page's content (a signed part)."""
    with zipfile.ZipFile(original) as package:
        entries = [(info, package.read(info)) for info in package.infolist()]
    name = next(info.filename for info, _data in entries if re.search(r"Pages/Page_\d+/Content\.xml$", info.filename))
    with zipfile.ZipFile(target, "w") as package:
        for info, data in entries:
            if info.filename == name:
                text = re.search(rb"<ofd:TextCode[^>]*>[^<]*?(\d)", data)
                assert text, "the page content has no digit in its text"
                at = text.start(1)
                data = data[:at] + bytes([b"0123456789"[(data[at] - 0x30 + 1) % 10]]) + data[at + 1:]
            package.writestr(info, data)


def upload_check(journey, path: Path, name: str) -> str:
    """Upload a file at 上传核验 and return the outcome's code."""
    page = journey.page
    journey.goto("/certificates/check/")
    page.get_by_label("电子证书文件（.ofd）").set_input_files(str(path))
    page.get_by_role("button", name="核验").click()
    journey.check(name)
    return page.locator("#outcome").get_attribute("data-code")


def test_public_upload_check_and_receipt(journey, tmp_path):
    page = journey.page
    original = tmp_path / "certificate.ofd"
    serial, link = holder_download(journey, original)

    # Signed out, the file as issued is valid; with one byte changed in a signed part it is named tampered.
    assert upload_check(journey, original, "upload-valid") == "valid"
    assert "有效" in page.locator("#outcome").inner_text()
    changed = tmp_path / "changed.ofd"
    tampered(original, changed)
    assert upload_check(journey, changed, "upload-tampered") == "tampered"
    outcome = page.locator("#outcome").locator("xpath=..").inner_text()
    assert "文件被篡改" in outcome and "该文件签章后被修改过，内容不可信。" in outcome
    # The integrity step of the changed part fails (each part the seal covers has its own step).
    failed = page.locator("#steps tr[data-status='failed']")
    assert failed.count() >= 1
    assert {row.get_attribute("data-code") for row in failed.all()} == {"reference.digest"}
    assert "文件完整性" in failed.first.inner_text() and "未通过" in failed.first.inner_text()
    assert not page.locator("#live-link").count()  # a tampered file links no certificate

    # The QR's live page gives a sealed receipt of this answer (a button there, or on a page it links to).
    page.goto(link)
    journey.check("landing")
    assert page.locator("#outcome").get_attribute("data-code") == "valid"
    to_page = page.get_by_role("link", name="下载核验回执")
    if to_page.count():
        to_page.first.click()
        journey.check("receipt-page")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("下载核验回执|下载")).first.click()
    receipt = tmp_path / "receipt.ofd"
    download_info.value.save_as(receipt)
    data = receipt.read_bytes()
    roots = load_certificates_pem((journey.system.var_dir / "demo-seal" / "root.pem").read_bytes())
    report = verify_ofd(data, trust_roots=roots, strict=True)
    assert report.valid, [(step.code, step.message) for step in report.steps if step.status is Status.FAILED]
    document = read_ofd(data)
    assert "电子证书核验回执" in document.text
    assert f"证书编号 {serial}" in document.text
    assert "核验结果\n有效\n" in document.text and "核验渠道 扫码核验" in document.text
    assert document.custom_data["证书编号"] == serial and document.custom_data["核验结果"] == "valid"
