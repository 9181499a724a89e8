"""Journey 8, public: the registry search by registration number and name, signed out."""

from __future__ import annotations

import pytest

from registry.journeys.tests.conftest import read_one

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
