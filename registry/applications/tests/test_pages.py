"""The pages: who sees what (404 for others' objects), forms with clear errors, thin views over services."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from registry.applications.models import Application, ApplicationStatus, Material
from registry.applications.tests.conftest import (
    PDF_BYTES,
    at,
    draft_initial,
    face,
    submitted_initial,
    under_review,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail(application) -> str:
    return reverse("applications:detail", args=[application.pk])


class TestAccess:
    def test_an_applicant_sees_only_own_applications(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        assert client_for(world.applicant).get(detail(application)).status_code == 200
        assert client_for(world.outsider).get(detail(application)).status_code == 404
        assert application.reference not in client_for(world.outsider).get(reverse("applications:mine")).content.decode()

    def test_an_employer_sees_only_its_own_staffs_applications(self, world):
        application = submitted_initial(world, at(2026, 11, 2))
        assert client_for(world.operator_a).get(detail(application)).status_code == 200
        assert client_for(world.operator_b).get(detail(application)).status_code == 404
        page = client_for(world.operator_b).get(reverse("applications:employer_pending")).content.decode()
        assert application.reference not in page
        page = client_for(world.operator_a).get(reverse("applications:employer_pending")).content.decode()
        assert application.reference in page

    def test_an_employer_does_not_see_drafts(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        assert client_for(world.operator_a).get(detail(application)).status_code == 404

    def test_an_employer_sees_only_its_own_registered_staff(self, world):
        page_a = client_for(world.operator_a).get(reverse("applications:employer_staff")).content.decode()
        page_b = client_for(world.operator_b).get(reverse("applications:employer_staff")).content.decode()
        assert "李四" in page_a and "渝2502020202300001" in page_a
        assert "李四" not in page_b

    def test_the_former_employer_sees_who_moved_away_and_the_new_one_has_them_on_staff(self, world):
        from registry.applications import services
        from registry.applications.models import ApplicationType, ChangeKind
        from registry.applications.tests.conftest import reported

        def sections(operator) -> tuple[str, str]:
            page = client_for(operator).get(reverse("applications:employer_staff")).content.decode()
            staff, moved = page.split('id="moved-away"')
            return staff, moved

        def move(to, operator, now):
            application = reported(world.registered, operator, now, application_type=ApplicationType.CHANGE,
                                   change_kind=ChangeKind.EMPLOYER, specialties=[], employer=to)
            services.accept_due_applications(now=now + timedelta(days=4))
            application.refresh_from_db()
            services.approve_application(actor=world.reviewer, application=application, now=now + timedelta(days=5))

        # Before the move: neither enterprise lists anyone as moved away.
        staff_a, moved_a = sections(world.operator_a)
        assert "李四" in staff_a and "暂无调出人员" in moved_a
        moved_on = at(2026, 11, 20)
        move(world.enterprise_b, world.operator_b, moved_on)

        staff_a, moved_a = sections(world.operator_a)
        assert "李四" not in staff_a
        assert "李四" in moved_a and "渝2502020202300001" in moved_a and "已变更至其他单位" in moved_a
        assert (moved_on + timedelta(days=5)).date().isoformat() in moved_a
        assert "重庆两江路桥" not in moved_a  # the former employer is not told where the person went
        staff_b, moved_b = sections(world.operator_b)
        assert "李四" in staff_b and "暂无调出人员" in moved_b

        # Back to the first employer: on its staff again, and now the second one lists the move away.
        move(world.enterprise_a, world.operator_a, moved_on + timedelta(days=14))
        staff_a, moved_a = sections(world.operator_a)
        assert "李四" in staff_a and "暂无调出人员" in moved_a
        staff_b, moved_b = sections(world.operator_b)
        assert "李四" not in staff_b and "李四" in moved_b

    def test_materials_are_served_only_to_those_who_may_see_the_application(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        material = application.materials.first()
        url = reverse("applications:material", args=[application.pk, material.pk])
        response = client_for(world.applicant).get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        assert client_for(world.outsider).get(url).status_code == 404
        assert client_for(world.reviewer).get(url).status_code == 200

    def test_role_pages_answer_404_to_other_roles(self, world):
        assert client_for(world.applicant).get(reverse("applications:queue")).status_code == 404
        assert client_for(world.operator_a).get(reverse("applications:new")).status_code == 404
        assert client_for(world.reviewer).get(reverse("applications:employer_pending")).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        response = Client().get(detail(application))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_a_post_without_csrf_token_is_refused(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.applicant)
        response = client.post(reverse("applications:withdraw", args=[application.pk]))
        assert response.status_code == 403
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DRAFT

    def test_a_reviewer_opens_the_full_personal_data_and_it_is_audited(self, world):
        from registry.audit.models import AuditEvent

        application = under_review(world, at(2026, 11, 20))
        reviewer = client_for(world.reviewer)
        page = reviewer.get(detail(application)).content.decode()
        link = reverse("people:person_detail", args=[application.person_id])
        assert link in page and world.applicant.person.id_number not in page
        assert world.applicant.person.id_number in reviewer.get(link).content.decode()
        assert AuditEvent.objects.filter(action="people.person.viewed_full", actor=world.reviewer).exists()

    def test_the_id_number_is_masked_on_pages(self, world):
        application = submitted_initial(world, at(2026, 11, 2))
        page = client_for(world.operator_a).get(detail(application)).content.decode()
        assert world.applicant.person.id_number not in page
        assert world.applicant.person.masked_id_number in page


class TestForms:
    def test_new_application_form_explains_what_is_missing(self, world):
        client = client_for(world.applicant)
        response = client.post(reverse("applications:new"), {"application_type": "initial"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "请填写聘用企业的统一社会信用代码" in page and "请至少选择一个注册专业" in page
        response = client.post(reverse("applications:new"), {
            "application_type": "initial", "employer_credit_code": "91500000MA00000000", "specialties": ["10401001"]})
        assert "未找到该统一社会信用代码对应的企业" in response.content.decode()
        assert not Application.objects.exists()

    def test_new_application_form_creates_a_draft(self, world):
        response = client_for(world.applicant).post(reverse("applications:new"), {
            "application_type": "initial", "employer_credit_code": world.enterprise_a.credit_code.lower(),
            "specialties": ["10401001"]})
        application = Application.objects.get()
        assert response.status_code == 302 and response["Location"] == detail(application)
        assert application.employer == world.enterprise_a

    def test_a_bad_upload_shows_the_reason_and_keeps_the_others(self, world):
        from django.core.files.uploadedfile import SimpleUploadedFile

        application = draft_initial(world, at(2026, 11, 2))
        count = application.materials.count()
        client = client_for(world.applicant)
        response = client.post(reverse("applications:upload", args=[application.pk]), {
            "kind": "contract", "file": SimpleUploadedFile("a.docx", b"PK\x03\x04word")}, follow=True)
        assert "只接受 PDF、JPEG 或 PNG 文件" in response.content.decode()
        assert application.materials.count() == count
        response = client.post(reverse("applications:upload", args=[application.pk]), {
            "kind": "diploma", "file": SimpleUploadedFile("d.pdf", PDF_BYTES)}, follow=True)
        assert "材料已上传" in response.content.decode()
        assert Material.objects.filter(application=application, kind="diploma").count() == 2

    def test_submitting_without_a_face_check_says_so(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        response = client_for(world.applicant).post(reverse("applications:submit", args=[application.pk]), follow=True)
        assert "请先完成人脸识别" in response.content.decode()

    def test_the_employer_must_give_a_reason_to_return(self, world):
        application = submitted_initial(world, at(2026, 11, 2))
        client = client_for(world.operator_a)
        response = client.post(reverse("applications:return", args=[application.pk]), {"reason": ""}, follow=True)
        assert "请填写原因" in response.content.decode()
        application.refresh_from_db()
        assert application.status == ApplicationStatus.AWAITING_EMPLOYER


def under_review_for_registered(world):
    """Return a renewal of 李四 accepted in November 2026, with a deadline inside 2026."""
    from registry.applications import services
    from registry.applications.tests.conftest import reported

    now = at(2026, 11, 2)
    reported(world.registered, world.operator_a, now, application_type="renewal", specialties=["10401001"])
    services.accept_due_applications(now=at(2026, 11, 5))
    application = world.registered.person.applications.get()
    application.refresh_from_db()
    assert application.due_on.year == 2026
    return application


class TestFlowThroughPages:
    def test_from_submission_to_approval(self, world, time_machine):
        # The pages read the clock; hold it on a day that fits the personas' qualification and registry facts.
        now = at(2026, 11, 2)
        time_machine.move_to(now, tick=True)
        application = draft_initial(world, now)
        face(world.applicant, now)
        client_for(world.applicant).post(reverse("applications:submit", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.AWAITING_EMPLOYER
        client_for(world.operator_a).post(reverse("applications:confirm", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PENDING_ACCEPTANCE
        from registry.applications.services import accept_application

        accept_application(application=application, now=now.replace(year=now.year + 1))
        reviewer = client_for(world.reviewer)
        queue = reviewer.get(reverse("applications:queue")).content.decode()
        assert application.reference in queue
        response = reviewer.post(reverse("applications:approve", args=[application.pk]), follow=True)
        assert "已批准注册" in response.content.decode()
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPROVED
        # The applicant follows every step on the timeline.
        page = client_for(world.applicant).get(detail(application)).content.decode()
        for step in ("申请人提交", "聘用企业确认", "数据比对通过", "已受理", "审批通过"):
            assert step in page

    def test_pages_say_when_a_deadline_falls_in_a_year_without_a_calendar(self, world, time_machine):
        # The notice spans today to the deadline: look at the pages on the day the clock of the case runs.
        time_machine.move_to(at(2026, 12, 23), tick=True)
        application = under_review(world, at(2026, 12, 22))  # due 2027-01-07, 2027 unpublished
        notice = "尚未发布节假日安排的年份（2027年）"
        assert notice in client_for(world.applicant).get(detail(application)).content.decode()
        assert notice in client_for(world.reviewer).get(reverse("applications:queue")).content.decode()
        receipt = reverse("applications:receipt", args=[application.pk])
        assert notice in client_for(world.applicant).get(receipt).content.decode()
        earlier = under_review_for_registered(world)
        assert notice not in client_for(world.registered).get(detail(earlier)).content.decode()

    def test_the_receipt_is_printable_once_accepted(self, world):
        application = under_review(world, at(2026, 11, 20))
        page = client_for(world.applicant).get(reverse("applications:receipt", args=[application.pk])).content.decode()
        assert application.receipt_number in page and "受理凭证" in page and "2026年12月8日" in page
        assert client_for(world.outsider).get(reverse("applications:receipt", args=[application.pk])).status_code == 404


def many_under_review(world, count: int) -> None:
    """Put `count` accepted applications of distinct people straight into the queue."""
    from datetime import date

    from registry.people.models import Person

    for i in range(count):
        person = Person.objects.create(name=f"测试{i}", id_number=f"5001011990{i:04d}0000"[:18], sex="M",
                                       birth_date=date(1990, 1, 1))
        Application.objects.create(reference=f"SQT{i:06d}", type="initial", person=person,
                                   employer=world.enterprise_a, specialties=["10401001"],
                                   status=ApplicationStatus.UNDER_REVIEW, due_on=date(2026, 12, 1 + i % 20))


class TestQueryCounts:
    @pytest.mark.parametrize("rows", [1, 30])
    def test_the_reviewer_queue_does_not_grow_queries_with_rows(self, world, rows, django_assert_max_num_queries):
        many_under_review(world, rows)
        client = client_for(world.reviewer)
        client.get(reverse("applications:queue"))  # warm the calendar cache
        with django_assert_max_num_queries(10):
            response = client.get(reverse("applications:queue"))
        assert len(re.findall(r">SQT\d{6}<", response.content.decode())) == rows

    @pytest.mark.parametrize("count", [1, 20])
    def test_my_applications_page_has_bounded_queries(self, world, count, django_assert_max_num_queries):
        person = world.applicant.person
        for i in range(count):
            Application.objects.create(reference=f"SQM{i:06d}", type="initial", person=person,
                                       employer=world.enterprise_a, specialties=["10401001"],
                                       status=ApplicationStatus.WITHDRAWN)
        client = client_for(world.applicant)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("applications:mine"))
        assert len(re.findall(r">SQM\d{6}<", response.content.decode())) == count


class TestReauthentication:
    def test_a_decision_after_a_stale_sign_in_asks_to_sign_in_again(self, world):
        import time

        from registry.people.access import SESSION_AUTH_AT

        application = under_review(world, at(2026, 11, 20))
        client = client_for(world.reviewer)
        session = client.session
        session[SESSION_AUTH_AT] = time.time() - 3600
        session.save()
        response = client.post(reverse("applications:approve", args=[application.pk]),
                               HTTP_REFERER=f"http://testserver{detail(application)}")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login")) and "reauth=1" in response["Location"]
        assert "next=http%3A%2F%2Ftestserver%2Fapplications%2F" in response["Location"]
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW


class TestEditing:
    def test_a_returned_application_is_edited_and_keeps_its_materials(self, world):
        from registry.applications import services

        application = submitted_initial(world, at(2026, 11, 2))
        services.return_by_employer(actor=world.operator_a, application=application, reason="专业选错", now=at(2026, 11, 2))
        materials = application.materials.count()
        client = client_for(world.applicant)
        url = reverse("applications:edit", args=[application.pk])
        response = client.post(url, {"specialties": [], "employer_credit_code": "123"})
        page = response.content.decode()
        assert "请至少选择一个注册专业" in page and "统一社会信用代码应为18位" in page
        response = client.post(url, {"specialties": ["10401001", "10401010"],
                                     "employer_credit_code": world.enterprise_b.credit_code})
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.specialties == ["10401001", "10401010"] and application.employer == world.enterprise_b
        assert application.materials.count() == materials

    def test_a_submitted_application_cannot_be_edited_and_others_get_404(self, world):
        application = submitted_initial(world, at(2026, 11, 2))
        url = reverse("applications:edit", args=[application.pk])
        response = client_for(world.applicant).post(url, {"specialties": ["10401002"]}, follow=True)
        assert "不能再修改" in response.content.decode()
        application.refresh_from_db()
        assert application.specialties == ["10401001"]
        assert client_for(world.outsider).get(url).status_code == 404

    def test_a_renewal_keeps_its_employer(self, world):
        from registry.applications import services

        application = services.create_application(actor=world.registered, application_type="renewal",
                                                  specialties=["10401001"], now=at(2026, 11, 2))
        page = client_for(world.registered).get(reverse("applications:edit", args=[application.pk])).content.decode()
        assert "employer_credit_code" not in page


# --- the applicant's pages after approval, a return, a 补正 (issue 14 §1) ---------------------------------

EMPTY_CARD = re.compile(r'<div class="card[^"]*">\s*</div>')


def kind_options(page: str) -> set[str]:
    select = re.search(r'<select name="kind"[^>]*>(.*?)</select>', page, re.S)
    assert select, "the upload form's kind field is missing"
    return set(re.findall(r'<option value="([^"]+)"', select.group(1)))


class TestApplicantPages:
    def test_an_approved_application_shows_its_registration_number_and_no_empty_card(self, world, time_machine):
        time_machine.move_to(at(2026, 11, 26), tick=True)
        application = under_review(world, at(2026, 11, 20))
        from registry.applications import services

        services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
        application.refresh_from_db()
        page = client_for(world.applicant).get(detail(application)).content.decode()
        assert "已批准" in page
        assert f'<dd id="registration-number">{application.registration.number}</dd>' in page
        assert not EMPTY_CARD.search(page), "an empty card is left on the page"
        from registry.certificates.models import Certificate

        certificate = Certificate.objects.get(idempotency_key=f"approved:{application.pk}")
        link = reverse("certificates:detail", args=[certificate.pk])
        assert f'<a href="{link}" id="certificate-link">{certificate.serial}' in page
        assert "撤回申请" not in page and "submit-application" not in page

    def test_a_return_shows_the_reason_and_what_to_do_and_marks_it_on_my_applications(self, world, time_machine):
        time_machine.move_to(at(2026, 11, 2), tick=True)
        application = submitted_initial(world, at(2026, 11, 2))
        client = client_for(world.applicant)
        assert 'id="attention"' not in client.get(detail(application)).content.decode()
        assert "需要您处理" not in client.get(reverse("applications:mine")).content.decode()
        from registry.applications import services

        services.return_by_employer(actor=world.operator_a, application=application, reason="劳动合同缺少盖章页",
                                    now=at(2026, 11, 2))
        page = client.get(detail(application)).content.decode()
        banner = page[page.index('id="attention"'):page.index('<ol class="steps">')]
        assert "聘用企业已退回您的申请" in banner and "劳动合同缺少盖章页" in banner and "重新提交" in banner
        assert "需要您处理" in client.get(reverse("applications:mine")).content.decode()
        # The employer does not get the applicant's banner.
        assert 'id="attention"' not in client_for(world.operator_a).get(detail(application)).content.decode()

    def test_a_supplement_request_shows_the_reason_and_what_is_still_missing(self, world, time_machine):
        time_machine.move_to(at(2026, 11, 26), tick=True)
        application = under_review(world, at(2026, 11, 20))
        from registry.applications import services
        from registry.applications.materials import required_materials

        services.request_supplement(actor=world.reviewer, application=application, reason="请补充学历证书原件扫描件",
                                    now=at(2026, 11, 26))
        client = client_for(world.applicant)
        page = client.get(detail(application)).content.decode()
        banner = page[page.index('id="attention"'):page.index('<ol class="steps">')]
        assert "审查部门要求补正材料" in banner and "请补充学历证书原件扫描件" in banner and "人脸识别" in banner
        assert "学历证书" in banner
        # Only the kinds this type needs are offered, and a kind it does not need is refused.
        required = set(required_materials(application.type, application.change_kind))
        assert kind_options(page) == required
        assert len(required) < 12
        from django.core.files.uploadedfile import SimpleUploadedFile

        unneeded = next(k for k, _label in Material._meta.get_field("kind").choices if k not in required)
        client.post(reverse("applications:upload", args=[application.pk]),
                    {"kind": unneeded, "file": SimpleUploadedFile("x.pdf", PDF_BYTES, "application/pdf")})
        assert not application.materials.filter(kind=unneeded).exists()
        client.post(reverse("applications:upload", args=[application.pk]),
                    {"kind": "diploma", "file": SimpleUploadedFile("d.pdf", PDF_BYTES, "application/pdf")})
        banner = client.get(detail(application)).content.decode()
        banner = banner[banner.index('id="attention"'):banner.index('<ol class="steps">')]
        assert "学历证书" not in banner.split("尚未上传的材料")[1]
        assert "需要您处理" in client.get(reverse("applications:mine")).content.decode()

    def test_resubmitting_a_supplement_needs_a_face_check(self, world, time_machine):
        time_machine.move_to(at(2026, 11, 26), tick=True)
        application = under_review(world, at(2026, 11, 20))
        from registry.applications import services

        services.request_supplement(actor=world.reviewer, application=application, reason="请补充学历证书",
                                    now=at(2026, 11, 26))
        client = client_for(world.applicant)
        page = client.get(detail(application)).content.decode()
        assert "purpose=submit&amp;next=" + detail(application) in page
        response = client.post(reverse("applications:resubmit", args=[application.pk]), follow=True)
        assert "提交补正前须完成人脸识别" in response.content.decode()
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUPPLEMENT
        face(world.applicant, at(2026, 11, 26))
        response = client.post(reverse("applications:resubmit", args=[application.pk]), follow=True)
        assert "补正材料已提交" in response.content.decode()
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW

    def test_a_failed_face_check_retries_towards_the_application(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        client = client_for(world.applicant)
        session = client.session
        session["face_check_next"] = detail(application)
        session.save()
        response = client.get(reverse("people:face_return"), {"result": "not-a-signed-result", "purpose": "submit"})
        assert response.status_code == 302
        from urllib.parse import parse_qs, urlsplit

        location = urlsplit(response["Location"])
        assert location.path == reverse("people:face_check")
        assert parse_qs(location.query) == {"purpose": ["submit"], "next": [detail(application)]}

    def test_a_foreign_next_is_not_kept_for_the_retry(self, world):
        client = client_for(world.applicant)
        session = client.session
        session["face_check_next"] = "https://evil.example/"
        session.save()
        response = client.get(reverse("people:face_return"), {"result": "x", "purpose": "submit"})
        assert "evil.example" not in response["Location"]

    def test_withdrawing_asks_for_confirmation_first(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        client = client_for(world.applicant)
        url = reverse("applications:withdraw", args=[application.pk])
        response = client.post(url)
        page = response.content.decode()
        assert response.status_code == 200 and "确定要撤回申请" in page
        assert 'name="confirm" value="yes"' in page and "csrfmiddlewaretoken" in page
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DRAFT
        assert client.get(url).status_code == 200
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DRAFT
        response = client.post(url, {"confirm": "yes"}, follow=True)
        assert "申请已撤回" in response.content.decode()
        application.refresh_from_db()
        assert application.status == ApplicationStatus.WITHDRAWN
        # Another applicant's application stays invisible.
        assert client_for(world.outsider).post(url, {"confirm": "yes"}).status_code == 404

    def test_withdrawing_needs_csrf(self, world):
        application = draft_initial(world, at(2026, 11, 2))
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.applicant)
        response = client.post(reverse("applications:withdraw", args=[application.pk]), {"confirm": "yes"})
        assert response.status_code == 403
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DRAFT


class TestNewApplicationByType:
    def test_the_type_comes_first_and_the_form_holds_only_its_fields(self, world):
        client = client_for(world.applicant)
        page = client.get(reverse("applications:new")).content.decode()
        assert 'name="type"' in page and "下一步" in page
        assert "id_cancellation_reason" not in page and "id_change_kind" not in page
        initial = client.get(reverse("applications:new"), {"type": "initial"}).content.decode()
        assert "id_employer_credit_code" in initial and "id_specialties" in initial
        for other in ("id_change_kind", "id_cancellation_reason", "id_new_name", "id_new_mobile", "id_enterprise_name"):
            assert other not in initial
        cancellation = client.get(reverse("applications:new"), {"type": "cancellation"}).content.decode()
        assert "id_cancellation_reason" in cancellation and "id_change_kind" not in cancellation
        assert "id_employer_credit_code" not in cancellation
        change = client.get(reverse("applications:new"), {"type": "change"}).content.decode()
        assert "id_change_kind" in change and "id_specialties" not in change
        assert "id_cancellation_reason" not in change

    # Every field a change of one kind or another may ask for.
    CHANGE_FIELDS = ("id_employer_credit_code", "id_new_name", "id_new_mobile", "id_enterprise_name")

    def test_an_initial_registration_form_has_no_change_or_cancellation_fields(self, world):
        page = client_for(world.applicant).get(reverse("applications:new"), {"type": "initial"}).content.decode()
        assert "变更类型" not in page and "注销原因" not in page
        assert "变更后" not in page and "id_change_kind" not in page and "id_cancellation_reason" not in page

    def test_a_change_asks_for_its_kind_first_without_javascript(self, world):
        page = client_for(world.registered).get(reverse("applications:new"), {"type": "change"}).content.decode()
        kind_chooser = re.search(r'<form method="get"[^>]*id="choose-change-kind".*?</form>', page, re.S).group(0)
        assert 'name="type" value="change"' in kind_chooser and 'name="change_kind"' in kind_chooser
        assert all(f'value="{kind}"' in kind_chooser for kind in ("employer", "personal", "enterprise"))
        assert "下一步" in kind_chooser
        assert "创建申请</button>" not in page
        for field in self.CHANGE_FIELDS:
            assert field not in page

    @pytest.mark.parametrize("kind, label, shown", [
        ("employer", "执业企业变更", {"id_employer_credit_code"}),
        ("personal", "个人信息变更", {"id_new_name", "id_new_mobile"}),
        ("enterprise", "企业信息变更", {"id_enterprise_name"}),
    ])
    def test_a_change_form_of_one_kind_shows_only_its_fields(self, world, kind, label, shown):
        page = client_for(world.registered).get(
            reverse("applications:new"), {"type": "change", "change_kind": kind}).content.decode()
        form = re.search(r'<form method="post" action="/applications/new/.*?</form>', page, re.S).group(0)
        assert {field for field in self.CHANGE_FIELDS if field in form} == shown
        assert f'change_kind={kind}' in form and f'<option value="{kind}" selected>{label}</option>' in form
        assert form.count("<option") == 2  # the chosen type and the chosen kind, nothing else to pick
        assert "id_specialties" not in form and "id_cancellation_reason" not in form
        assert 'id="change-change-kind"' in page

    def test_a_change_of_one_kind_is_created_from_its_form(self, world):
        client = client_for(world.registered)
        response = client.post(reverse("applications:new") + "?type=change&change_kind=personal", {
            "application_type": "change", "change_kind": "personal", "new_mobile": "13800000000",
            "enterprise_name": "不应保存", "employer_credit_code": world.enterprise_b.credit_code})
        assert response.status_code == 302
        application = Application.objects.get()
        assert application.change_kind == "personal" and application.details == {"mobile": "13800000000"}
        assert application.employer == world.enterprise_a

    def test_a_change_posted_without_its_kind_goes_back_to_choosing_it(self, world):
        response = client_for(world.registered).post(reverse("applications:new"), {
            "application_type": "change", "change_kind": "nonsense", "new_name": "李思"})
        page = response.content.decode()
        assert response.status_code == 200 and "请先选择变更类型" in page and 'id="choose-change-kind"' in page
        assert not Application.objects.exists()

    def test_another_types_fields_are_ignored(self, world):
        client_for(world.applicant).post(reverse("applications:new"), {
            "application_type": "initial", "employer_credit_code": world.enterprise_a.credit_code,
            "specialties": ["10401001"], "cancellation_reason": "不应保存", "new_name": "不应保存"})
        assert Application.objects.get().details == {}

    def test_an_unknown_credit_code_gets_exactly_one_message(self, world):
        response = client_for(world.applicant).post(reverse("applications:new"), {
            "application_type": "initial", "employer_credit_code": "91500000MA00000000", "specialties": ["10401001"]})
        page = response.content.decode()
        assert page.count('<ul class="errorlist') == 1
        assert "未找到该统一社会信用代码对应的企业" in page and "请填写聘用企业的统一社会信用代码" not in page

    def test_a_post_without_a_type_goes_back_to_choosing_it(self, world):
        response = client_for(world.applicant).post(reverse("applications:new"), {"application_type": "nonsense"})
        assert response.status_code == 200 and "请先选择申请类型" in response.content.decode()
        assert not Application.objects.exists()

    def test_a_renewal_outside_its_window_is_refused_on_creation_with_the_dates(self, world, time_machine):
        time_machine.move_to(at(2026, 6, 1), tick=True)
        response = client_for(world.registered).post(reverse("applications:new"), {
            "application_type": "renewal", "specialties": ["10401001"]})
        page = response.content.decode()
        assert "尚未到申请期" in page and "2026年10月2日至2026年12月1日" in page
        assert not Application.objects.exists()

    def test_a_renewal_of_a_specialty_not_held_is_refused_on_creation_naming_it(self, world, time_machine):
        time_machine.move_to(at(2026, 11, 2), tick=True)
        response = client_for(world.registered).post(reverse("applications:new"), {
            "application_type": "renewal", "specialties": ["10401010"]})
        page = response.content.decode()
        assert response.status_code == 200
        assert "市政公用工程专业不在您的有效注册中" in page and "新增专业请申请增项注册" in page
        assert not Application.objects.exists()
