"""Concurrent clicks at the live server, on SQLite and on PostgreSQL: one transition, no 500, a clear message."""

from __future__ import annotations

import secrets
import threading

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from registry import clock
from registry.applications.models import ApplicationStatus, ApplicationTransition
from registry.applications.tests.conftest import submitted_initial
from registry.people.access import SESSION_AUTH_AT
from registry.people.models import EnterpriseOperator, Role, User

LOSER_MESSAGES = ("该申请已被他人处理或状态已变化，请刷新页面后查看。", "下不能进行此操作")


def browser_for(user: User) -> tuple[requests.Session, str]:
    """Return a requests session signed in as the user (recently), with its CSRF token."""
    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY], store[SESSION_AUTH_AT] = user.get_session_auth_hash(), int(clock.timestamp())
    store.create()
    token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key)
    browser.cookies.set(settings.CSRF_COOKIE_NAME, token)
    return browser, token


@pytest.mark.django_db(transaction=True)
def test_six_employer_sessions_confirming_at_once_one_wins_and_none_sees_a_500(world, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    application = submitted_initial(world, timezone.now())
    operators = [world.operator_a]
    for index in range(5):
        user = User.objects.create_user(username=f"corp_a_{index}", password=None, role=Role.ENTERPRISE)
        EnterpriseOperator.objects.create(user=user, enterprise=world.enterprise_a, can_confirm=True)
        operators.append(user)
    browsers = [browser_for(user) for user in operators]
    detail = live_server.url + reverse("applications:detail", args=[application.pk])
    confirm = live_server.url + reverse("applications:confirm", args=[application.pk])
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = []
    pages: list[str] = []

    def click(browser: requests.Session, token: str) -> None:
        barrier.wait(timeout=30)
        response = browser.post(confirm, data={"csrfmiddlewaretoken": token}, headers={"Referer": detail},
                                allow_redirects=False, timeout=120)
        statuses.append(response.status_code)
        pages.append(browser.get(detail, timeout=120).text)

    threads = [threading.Thread(target=click, args=pair) for pair in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert statuses == [302] * 6, statuses
    winners = [page for page in pages if 'class="msg-success">已确认。' in page]
    losers = [page for page in pages if 'class="msg-error">' in page and any(m in page for m in LOSER_MESSAGES)]
    assert (len(winners), len(losers)) == (1, 5)
    application.refresh_from_db()
    assert application.status != ApplicationStatus.AWAITING_EMPLOYER
    confirmations = ApplicationTransition.objects.filter(application=application, action="confirm")
    assert confirmations.count() == 1
