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


class TestRefusalDecisionLetter:
    def refused(self, world, reasons=("未提供有效的聘用劳动合同", "继续教育学时不足")):
        from registry.applications import services
        from registry.applications.tests.conftest import at, under_review
        application = under_review(world, at(2026, 11, 20))
        services.refuse_application(actor=world.reviewer, application=application, reasons=list(reasons),
                                    now=at(2026, 11, 26))
        application.refresh_from_db()
        return application

    def test_the_refusal_issues_a_numbered_stored_letter(self, world):
        application = self.refused(world)
        decision = application.refusal_decision
        assert decision.document_number == "渝建二建不许〔2026〕0001号"
        assert decision.reasons == ["未提供有效的聘用劳动合同", "继续教育学时不足"]
        assert decision.applicant_name == "张三"
        assert decision.application_reference == application.reference
        from django.conf import settings
        assert decision.authority_name == settings.AUTHORITY_NAME
        assert "六十日内" in decision.rights_notice and "六个月内" in decision.rights_notice
        assert "行政复议" in decision.rights_notice and "行政诉讼" in decision.rights_notice
        assert str(decision.decided_on) == "2026-11-26"

    def test_numbers_count_per_year_and_never_repeat(self, world):
        from registry.applications.services.common import next_number
        from registry.applications.services.decisions import document_number
        first = self.refused(world).refusal_decision
        assert next_number("refusal-decision-2026") == 2  # the counter moved with the letter
        assert document_number(2027, 1) == "渝建二建不许〔2027〕0001号"
        assert first.serial == 1 and first.year == 2026

    def test_the_letter_does_not_change_when_the_data_does(self, world):
        application = self.refused(world)
        application.person.name = "张三丰"
        application.person.save()
        page = client_for(world.applicant).get(
            reverse("applications:refusal_decision", args=[application.pk])).content.decode()
        assert "申请人：张三（" in page

    def test_no_letter_without_a_refusal(self, world):
        from django.db import transaction

        from registry.applications.models import RefusalDecision
        from registry.applications.tests.conftest import at, under_review
        application = under_review(world, at(2026, 11, 20))
        assert not RefusalDecision.objects.exists()
        assert client_for(world.applicant).get(
            reverse("applications:refusal_decision", args=[application.pk])).status_code == 404
        # A refusal refused for want of reasons leaves no letter behind.
        from registry.applications import services
        from registry.applications.errors import WorkflowError
        with pytest.raises(WorkflowError), transaction.atomic():
            services.refuse_application(actor=world.reviewer, application=application, reasons=[], now=at(2026, 11, 26))
        assert not RefusalDecision.objects.exists()

    def test_the_applicant_and_employer_read_it_others_get_404(self, world):
        application = self.refused(world)
        url = reverse("applications:refusal_decision", args=[application.pk])
        for user in (world.applicant, world.operator_a, world.reviewer):
            page = client_for(user).get(url).content.decode()
            assert "不予许可决定书" in page
            assert "渝建二建不许〔2026〕0001号" in page
            assert "未提供有效的聘用劳动合同" in page and "继续教育学时不足" in page
            assert "2026年11月26日" in page
            assert "六十日内" in page and "六个月内" in page
        for user in (world.outsider, world.operator_b):
            assert client_for(user).get(url).status_code == 404

    def test_the_application_page_links_the_letter(self, world):
        application = self.refused(world)
        page = client_for(world.applicant).get(reverse("applications:detail", args=[application.pk])).content.decode()
        assert 'id="refusal-decision"' in page
        assert reverse("applications:refusal_decision", args=[application.pk]) in page
        assert "渝建二建不许〔2026〕0001号" in page

    def test_the_refusal_through_the_page_issues_the_letter(self, world, time_machine):
        from registry.applications.tests.conftest import at, under_review
        application = under_review(world, at(2026, 11, 20))
        time_machine.move_to(at(2026, 11, 26), tick=True)
        reviewer = client_for(world.reviewer)
        reviewer.post(reverse("applications:refuse", args=[application.pk]), {"reasons": "理由一\n理由二"})
        application.refresh_from_db()
        assert application.status == "refused"
        assert application.refusal_decision.reasons == ["理由一", "理由二"]


class TestRefusalDecisionInTheAdmin:
    def test_the_admin_lists_letters_read_only(self, world):
        from registry.applications import services
        from registry.applications.tests.conftest import at, under_review
        application = under_review(world, at(2026, 11, 20))
        services.refuse_application(actor=world.reviewer, application=application, reasons=["不符合条件"],
                                    now=at(2026, 11, 26))
        world.admin.is_staff = True
        world.admin.save()
        client = client_for(world.admin)
        page = client.get(reverse("admin:applications_refusaldecision_changelist")).content.decode()
        assert "渝建二建不许〔2026〕0001号" in page
        assert "不予许可决定书" in page
        assert client.get(reverse("admin:applications_refusaldecision_add")).status_code == 403


class TestAuditInTheAdmin:
    def test_the_audit_changelist_has_chinese_columns_and_action_labels(self, world, clock_now):
        from registry.audit.log import log_action
        log_action("people.operator.added", now=clock_now, actor=world.operator_a, details={})
        world.admin.is_staff = True
        world.admin.save()
        page = client_for(world.admin).get(reverse("admin:audit_auditevent_changelist")).content.decode()
        for heading in ("时间", "操作人", "操作", "对象类型", "对象编号", "来源地址"):
            assert f">{heading}</a>" in page or f">{heading}<" in page
        assert "添加经办人" in page
        for english in (">At<", ">Actor<", ">Target type<", ">Ip address<"):
            assert english not in page


def test_the_header_never_shows_a_digest_account_name(world):
    from registry.testing import make_user
    user = make_user("ykb-feedbeef00112233", "applicant", password=None)
    page = client_for(user).get(reverse("applications:mine")).content.decode()
    assert "ykb-feedbeef" not in page
    assert "渝快办用户（未登记姓名）（申请人）" in page
