"""The interface speaks Simplified Chinese whatever language the visitor's browser asks for."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BROWSERS = ["en-US,en;q=0.9", "ja-JP", "zh-TW,zh;q=0.8", "fr, *", "zh-CN,zh;q=0.9", ""]


@pytest.mark.parametrize("accept_language", BROWSERS)
def test_django_s_own_messages_are_chinese_for_every_browser(accept_language):
    response = Client().get("/certificates/search/?registration_number=&name=",
                            headers={"Accept-Language": accept_language})
    page = response.content.decode()
    assert response.status_code == 400
    assert "这个字段是必填项。" in page and "This field is required" not in page


@pytest.mark.parametrize("accept_language", BROWSERS)
def test_the_public_pages_do_not_vary_by_the_browser_s_language(accept_language):
    response = Client().get("/certificates/verify/AAAAAAAAAAAAAAAA?c=ZZZZZZZZ",
                            headers={"Accept-Language": accept_language})
    assert response.status_code == 200
    assert "Accept-Language" not in response.get("Vary", "")
    assert '<html lang="zh-Hans">' in response.content.decode()


def test_the_login_page_is_chinese_for_an_english_browser():
    response = Client().post("/login/", {"username": "nobody", "password": "wrong"},
                             headers={"Accept-Language": "en"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct" not in page and "用户名" in page
