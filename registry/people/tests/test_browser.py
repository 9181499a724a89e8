"""In a real browser: sign in through the simulated 渝快办 and pass the simulated face check."""

from __future__ import annotations

import pytest
from django.db import connections

from registry.people.models import FaceCheck, Person
from registry.testing import id_number
from registry.ykb_sim.models import SimIdentity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch, chromium):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page()
        yield page
        browser.close()
        # ORM calls made while Playwright's loop runs use their own connection; close it so PostgreSQL can
        # drop the test database.
        connections.close_all()


def test_a_person_signs_in_through_ykb_and_passes_the_face_check(live_server, settings, browser_page):
    settings.YKB_ISSUER = live_server.url + "/ykb-sim"
    SimIdentity.objects.create(subject="browser-wang", label="王五（个人）", name="王五",
                               id_number=id_number("50010619920304003"), mobile="13800000003")
    page = browser_page
    page.goto(live_server.url + "/login/")
    page.click("#ykb-login")
    page.wait_for_url("**/ykb-sim/authorize**")
    page.check("text=王五（个人）")
    page.click("button[name=allow]")
    page.wait_for_url(lambda url: "/ykb-sim/" not in url)
    person = Person.objects.get(name="王五")
    assert person.user is not None

    page.goto(live_server.url + "/face/?purpose=submit&next=/face/%3Fpurpose%3Dsubmit")
    page.click("#start-face")
    page.wait_for_url("**/ykb-sim/face/**")
    page.click("button[name=pass]")
    page.wait_for_selector("text=人脸识别通过")
    assert FaceCheck.objects.filter(person=person, purpose="submit", used_at__isnull=True).exists()
    assert person.id_number not in page.url
