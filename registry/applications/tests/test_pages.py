"""The pages: who sees what (404 for others' objects), forms with clear errors, thin views over services."""

from __future__ import annotations

import re

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
