"""Journey 7: an employer authenticates with the old system's password, and another on site at its district."""

from __future__ import annotations

import pytest

from registry.testing import PDF_BYTES
from registry.ykb_sim.demo import LEGACY_PASSWORD, LEGACY_USERNAME, ONSITE_ENTERPRISE_NAME

pytestmark = pytest.mark.browser

BOUND = "已认证，可代表本企业办理"


def test_employer_auth_with_the_old_password(journey):
    page = journey.page
    journey.ykb_sign_in("孙沙坪（法人：重庆沙坪坝城建工程有限公司，用原系统密码认证）")
    journey.goto("/enterprise/authenticate/")
    journey.shot("methods")
    assert BOUND not in page.content()

    # A wrong password is refused with a message and binds nothing.
    page.get_by_label("原系统用户名").fill(LEGACY_USERNAME)
    page.get_by_label("原系统密码").fill("not-the-password")
    page.get_by_role("button", name="认证", exact=True).click()
    journey.check("wrong-password")
    assert "原系统用户名或密码不正确" in page.locator("main").inner_text()
    assert BOUND not in page.content()

    page.get_by_label("原系统用户名").fill(LEGACY_USERNAME)
    page.get_by_label("原系统密码").fill(LEGACY_PASSWORD)
    page.get_by_role("button", name="认证", exact=True).click()
    journey.check("operators")
    assert "/operators/" in page.url  # bound: on to managing the enterprise's operators
    journey.goto("/enterprise/authenticate/")
    journey.shot("authenticated")
    assert BOUND in page.content()


def test_employer_auth_on_site_at_the_district_office(journey):
    page = journey.page
    journey.ykb_sign_in("钱宏达（法人：重庆渝北宏达建筑工程有限公司，现场认证）")
    journey.goto("/enterprise/authenticate/")
    page.get_by_role("button", name="我将到现场认证").click()
    journey.check("onsite-requested")
    assert "已于" in page.content() and BOUND not in page.content()
    journey.sign_out()

    # The district officer checks the originals, records the scans and approves.
    journey.sign_in("district_yb")
    journey.goto("/district/enterprises/")
    journey.shot("district-list")
    page.get_by_role("link", name=ONSITE_ENTERPRISE_NAME).click()
    journey.check("district-enterprise")
    page.get_by_label("认证通过").check()
    page.get_by_label("已核验营业执照原件").check()
    page.get_by_label("已核验资质证书原件").check()
    for label in ("营业执照扫描件", "资质证书扫描件"):
        page.get_by_label(label).set_input_files({"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    page.get_by_role("button", name="记录认证结论").click()
    journey.check("district-approved")
    assert page.locator(".errorlist").count() == 0
    journey.sign_out()

    # The legal person's account now represents the enterprise.
    journey.ykb_sign_in("钱宏达（法人：重庆渝北宏达建筑工程有限公司，现场认证）")
    journey.goto("/enterprise/authenticate/")
    journey.shot("bound")
    assert BOUND in page.content()
