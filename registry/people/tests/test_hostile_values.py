"""Bad values answer 400 with a reason; sign-in throttling cannot lock the authority out; personal pages
are neither cached nor opened on a stale sign-in."""

from __future__ import annotations

import time

import pytest

from registry.audit.models import AuditEvent
from registry.people.models import EnterpriseAuthState, EnterpriseOperator, SignInFailure
from registry.testing import PASSWORD, signed_in

# --- Bad values ---------------------------------------------------------------------------------------


@pytest.fixture
def authenticated_a(personas):
    personas.enterprise_a.auth_state = EnterpriseAuthState.AUTHENTICATED
    personas.enterprise_a.save()
    EnterpriseOperator.objects.create(user=personas.legal_a, enterprise=personas.enterprise_a,
                                      is_manager=True, can_confirm=True)
    return personas.enterprise_a


@pytest.mark.parametrize("operator", ["abc", "1.5", "١٢", "9" * 40, "-1", ""])
def test_an_operator_that_is_no_number_answers_400_with_a_reason(client, personas, authenticated_a, operator):
    signed_in(client, personas.legal_a)
    response = client.post(f"/enterprise/{authenticated_a.pk}/operators/", {"action": "grant", "operator": operator})
    assert response.status_code == 400
    assert "未指定有效的经办人" in response.content.decode()


@pytest.mark.parametrize("query", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"},
                                   {"date_from": "1999-12-31"}])
def test_audit_dates_out_of_range_answer_400_with_a_reason(client, personas, query):
    signed_in(client, personas.admin)
    response = client.get("/audit/", query)
    assert response.status_code == 400
    assert "日期须在 2000-01-01 至 2099-12-31 之间" in response.content.decode()


def test_the_csv_export_validates_before_streaming(client, personas):
    signed_in(client, personas.admin)
    response = client.get("/audit/export.csv", {"date_from": "0001-01-01"})
    assert response.status_code == 400 and not response.streaming
    assert "导出条件无效" in response.content.decode()
    assert not AuditEvent.objects.filter(action="people.audit.exported").exists()


def test_a_date_in_range_still_exports(client, personas):
    signed_in(client, personas.admin)
    response = client.get("/audit/export.csv", {"date_from": "2000-01-01", "date_to": "2099-12-31"})
    assert response.status_code == 200
    assert "people.signin.succeeded" in b"".join(response.streaming_content).decode()


def test_error_pages_are_in_chinese_and_in_the_site_layout(client, personas):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in page and "重庆市二级建造师电子注册系统" in page


# --- Throttling ---------------------------------------------------------------------------------------


def fail(client, username: str, address: str, times: int) -> None:
    for _ in range(times):
        client.post("/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def test_a_stranger_cannot_lock_the_reviewer_out(client, personas, settings):
    fail(client, "reviewer", "203.0.113.9", settings.LOGIN_THROTTLE_MAX_PER_USER + 2)
    stranger = client.post("/login/", {"username": "reviewer", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9")
    assert "登录失败次数过多" in stranger.content.decode()  # the guessing address is locked for this account
    office = client.post("/login/", {"username": "reviewer", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert office.status_code == 302  # the reviewer at the office signs in


def test_many_addresses_guessing_one_account_only_slow_it_down(client, personas, settings, monkeypatch):
    settings.LOGIN_THROTTLE_SLOWDOWN_AFTER, settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS = 3, 4
    waits: list[float] = []
    monkeypatch.setattr("registry.people.backends.time.sleep", waits.append)
    for index in range(8):
        fail(client, "admin", f"198.51.100.{index}", 1)
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0]  # from the fourth failure on, each attempt waits longer
    waits.clear()
    response = client.post("/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert waits == [4.0]  # capped


def test_one_address_guessing_many_accounts_is_locked(client, personas, settings):
    settings.LOGIN_THROTTLE_MAX_PER_IP = 4
    for name in ("a1", "a2", "a3", "a4"):
        fail(client, name, "203.0.113.50", 1)
    response = client.post("/login/", {"username": "zhang", "password": PASSWORD}, REMOTE_ADDR="203.0.113.50")
    assert "登录失败次数过多" in response.content.decode()
    assert client.post("/login/", {"username": "zhang", "password": PASSWORD},
                       REMOTE_ADDR="203.0.113.51").status_code == 302


def test_the_client_address_comes_from_a_trusted_proxy_only(client, personas, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    client.post("/login/", {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="10.0.0.7",
                HTTP_X_FORWARDED_FOR="198.51.100.20, 10.0.0.8")
    client.post("/login/", {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="203.0.113.5",
                HTTP_X_FORWARDED_FOR="198.51.100.99")
    client.post("/login/", {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="10.0.0.7",
                HTTP_X_FORWARDED_FOR="not-an-address")
    addresses = list(SignInFailure.objects.order_by("pk").values_list("ip_address", flat=True))
    assert addresses == ["198.51.100.20", "203.0.113.5", "10.0.0.7"]


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, personas, settings):
    settings.TRUSTED_PROXIES = []
    client.post("/login/", {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="10.0.0.7",
                HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert SignInFailure.objects.get().ip_address == "10.0.0.7"


# --- Personal pages -----------------------------------------------------------------------------------


def test_the_person_page_is_never_cached_and_needs_a_recent_sign_in(client, personas):
    signed_in(client, personas.reviewer)
    response = client.get(f"/persons/{personas.person.pk}/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    session = client.session
    session["auth_at"] = int(time.time()) - 3600
    session.save()
    stale = client.get(f"/persons/{personas.person.pk}/")
    assert stale.status_code == 302 and stale["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("template, title", [("400.html", "请求无效"), ("403.html", "无权访问"),
                                             ("403_csrf.html", "页面已过期"), ("404.html", "页面不存在"),
                                             ("500.html", "系统出错")])
def test_every_error_page_speaks_chinese_in_the_site_layout(template, title):
    from django.template.loader import get_template

    page = get_template(template).render({})  # as Django's handlers render them: without a request
    assert title in page and "重庆市二级建造师电子注册系统" in page and 'lang="zh-Hans"' in page


def test_a_post_without_a_csrf_token_gets_the_chinese_page(personas):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "zhang", "password": PASSWORD})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()
