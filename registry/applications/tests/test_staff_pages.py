"""Employer, staff and admin pages: plain Chinese, a next step, no internal codes (issue #14 §1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from registry.applications.tests.conftest import submitted_initial
from registry.testing import make_legal

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestUnauthenticatedLegalPerson:
    def test_is_told_to_authenticate_first_and_how_many_wait(self, world, clock_now):
        submitted_initial(world, clock_now, employer=world.enterprise_unauth)
        legal = make_legal("legal_c", world.enterprise_unauth)
        page = client_for(legal).get(reverse("applications:employer_pending")).content.decode()
        assert "请先完成企业身份认证" in page
        assert "尚未完成企业身份认证" in page
        assert "目前有 <strong>1</strong> 件申请等待本企业确认" in page
        assert reverse("people:enterprise_auth") in page
        assert "没有待确认的申请" not in page

    def test_with_nothing_waiting_still_points_to_authentication(self, world):
        legal = make_legal("legal_c", world.enterprise_unauth)
        page = client_for(legal).get(reverse("applications:employer_pending")).content.decode()
        assert "目前没有等待本企业确认的申请" in page
        assert reverse("people:enterprise_auth") in page

    def test_a_bound_operator_sees_the_list_without_the_notice(self, world, clock_now):
        submitted_initial(world, clock_now)
        page = client_for(world.operator_a).get(reverse("applications:employer_pending")).content.decode()
        assert "请先完成企业身份认证" not in page
        assert "张三" in page or "张*" in page
