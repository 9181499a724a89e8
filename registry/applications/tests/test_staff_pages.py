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


class TestStaffPagesSpeakChinese:
    def test_the_district_page_names_the_authentication_method(self, world):
        from registry.people.models import Enterprise
        Enterprise.objects.filter(pk=world.enterprise_a.pk).update(auth_method="on_site")
        page = client_for(world.district_yz).get(
            reverse("people:district_enterprise", args=[world.enterprise_a.pk])).content.decode()
        assert "已认证（现场认证）" in page
        assert "on_site" not in page
        assert 'class="credit-code"' in page

    def test_an_unknown_method_code_falls_back_to_itself(self, world):
        world.enterprise_a.auth_method = "future_method"
        assert world.enterprise_a.auth_method_label == "future_method"

    def test_the_audit_log_shows_labels_names_and_readable_details(self, world, clock_now):
        from registry.audit.log import log_action
        from registry.testing import make_user
        ykb_user = make_user("ykb-da4cac7f0123456789", "applicant", password=None, first_name="张三")
        log_action("people.enterprise.authenticated", now=clock_now, actor=ykb_user, target=world.enterprise_a,
                   details={"method": "on_site", "state_changed": True, "bound": ["corp_a"]})
        log_action("people.some.new_code", now=clock_now, actor=None, details={"x": 1})
        page = client_for(world.admin).get(reverse("audit:log")).content.decode()
        assert "企业身份认证通过" in page
        for part in ("方式：现场认证", "状态已变更：是", "绑定账号：corp_a"):
            assert part in page
        assert "张三" in page
        assert "ykb-da4cac7f" not in page.replace('title="', "")
        assert "{&#x27;" not in page and "{'" not in page
        assert "people.some.new_code" in page  # unknown codes show themselves

    def test_an_account_without_a_name_is_not_shown_by_its_digest(self, world):
        from registry.people.templatetags.people_tags import account_name
        from registry.testing import make_user
        assert account_name(make_user("ykb-0011223344", "applicant", password=None)) == "渝快办用户（未登记姓名）"
        assert account_name(world.reviewer2) == "reviewer2"
        assert account_name(None) == "—"

    def test_the_reviewers_title_is_not_doubled(self, world):
        world.reviewer.first_name = "市住房城乡建委"
        world.reviewer.save()
        page = client_for(world.reviewer).get(reverse("applications:queue")).content.decode()
        assert "审批人员（市住房城乡建委）" in page
        assert "市住房城乡建委（审批人员" not in page

    @pytest.mark.parametrize(("tab", "sentence"), [
        ("review", "目前没有审查中的申请。"), ("supplement", "目前没有等待申请人补正的申请。"),
        ("pending", "目前没有待受理的申请。"), ("decided", "还没有已办结的申请。"),
    ])
    def test_an_empty_queue_says_so_per_tab(self, world, tab, sentence):
        page = client_for(world.reviewer).get(reverse("applications:queue"), {"tab": tab}).content.decode()
        assert sentence in page
        assert "队列为空" not in page

    def test_the_phone_stylesheet_wraps_long_values_and_drops_the_empty_label(self):
        from pathlib import Path

        import registry
        css = (Path(registry.__file__).parent / "static" / "css" / "site.css").read_text()
        assert ".credit-code" in css and "overflow-wrap: anywhere" in css
        assert "td:not([data-label])::before { content: none; }" in css
        assert "min-width: 556px" not in css


class TestAdminInChinese:
    def admin_client(self, world):
        world.admin.is_staff = True
        world.admin.save()
        return client_for(world.admin)

    def test_the_changelist_has_chinese_headings(self, world):
        page = self.admin_client(world).get(reverse("admin:people_user_changelist")).content.decode()
        assert "选择 用户 来修改" in page or "选择用户来修改" in page
        assert "重庆市二级建造师电子注册系统 · 后台管理" in page
        assert "Select an option" not in page
        for english in ("Filter", "Search", "Go", "Action:"):
            assert f">{english}<" not in page

    def test_a_change_form_has_no_english_blank_choice(self, world):
        page = self.admin_client(world).get(
            reverse("admin:people_user_change", args=[world.reviewer2.pk])).content.decode()
        assert "- 请选择 -" in page
        assert "Select an option" not in page
        assert "保存" in page
        assert "Save" not in page

    def test_the_index_title_is_chinese(self, world):
        page = self.admin_client(world).get(reverse("admin:index")).content.decode()
        assert "后台管理首页" in page
        assert "Site administration" not in page
