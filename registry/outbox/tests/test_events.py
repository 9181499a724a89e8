"""Outbox rows written with the transition logs: notices, the national feed, employer webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from registry.applications import services
from registry.applications.models import Application, ApplicationStatus
from registry.applications.signals import registration_changed
from registry.applications.tests.conftest import at, face, submitted_initial, under_review
from registry.outbox.models import Kind, Notice, OutboxMessage, Subscription
from registry.people.models import Person

pytestmark = pytest.mark.django_db


def reach(world, *, mobile="13800001234", email="zhangsan@example.com"):
    Person.objects.filter(user=world.applicant).update(mobile=mobile)
    world.applicant.email = email
    world.applicant.save(update_fields=["email"])
    world.applicant.person.refresh_from_db()


def notices_of(user) -> list[str]:
    return list(Notice.objects.filter(user=user).order_by("pk").values_list("text", flat=True))


def marked(client, user, url_name: str, application) -> bool:
    client.force_login(user)
    page = client.get(reverse(url_name)).content.decode()
    row = page.split(f"{application.reference}</a>", 1)[1].split("</tr>", 1)[0]
    return 'class="badge needs-action"' in row  # 待办理 (employer) or 需要您处理 (applicant)


class TestNotices:
    def test_a_submission_asks_the_confirming_operators_only_and_marks_the_employer_list(self, world, client):
        application = submitted_initial(world, at(2026, 11, 2))
        assert notices_of(world.operator_a) == [f"张三的初始注册申请{application.reference}待本单位确认。"]
        assert notices_of(world.operator_a_readonly) == []
        assert marked(client, world.operator_a, "applications:employer_pending", application)

    def test_a_return_tells_the_applicant_the_reason_by_sms_mail_and_a_mark(self, world, client):
        reach(world)
        application = submitted_initial(world, at(2026, 11, 2))
        services.return_by_employer(actor=world.operator_a, application=application, reason="合同页缺少盖章",
                                    now=at(2026, 11, 2, 11))
        text = f"您的申请{application.reference}已被聘用企业退回，原因：合同页缺少盖章。请修改后重新提交。"
        assert notices_of(world.applicant) == [text]
        sms = OutboxMessage.objects.get(kind=Kind.SMS)
        assert sms.destination == "13800001234" and text in sms.payload["text"]
        mail = OutboxMessage.objects.get(kind=Kind.EMAIL)
        assert mail.destination == "zhangsan@example.com" and mail.payload["text"] == text
        assert marked(client, world.applicant, "applications:mine", application)
        assert text in client.get(reverse("applications:mine")).content.decode()  # the notice list
        assert not marked(client, world.operator_a, "applications:employer_pending", application)

    def test_a_supplement_request_says_what_and_by_when_and_the_mark_goes_once_it_is_handed_in(self, world, client):
        application = under_review(world, at(2026, 11, 2))
        services.request_supplement(actor=world.reviewer, application=application, reason="学历证书扫描件不清晰",
                                    now=at(2026, 11, 6))
        [text] = [t for t in notices_of(world.applicant) if "补正" in t]
        # 5 working days after Friday 6 November 2026.
        assert text == f"您的申请{application.reference}需补正材料：学历证书扫描件不清晰。请于2026年11月13日前登录系统补正。"
        assert marked(client, world.applicant, "applications:mine", application)
        application.refresh_from_db()
        face(world.applicant, at(2026, 11, 9))
        services.resubmit_supplement(actor=world.applicant, application=application, now=at(2026, 11, 9))
        assert not marked(client, world.applicant, "applications:mine", application)

    def test_acceptance_approval_and_refusal_reach_the_applicant_without_an_id_number(self, world):
        reach(world)
        application = under_review(world, at(2026, 11, 2))
        services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
        texts = notices_of(world.applicant)
        assert f"您的申请{application.reference}已受理，受理凭证编号{application.receipt_number}。" in texts
        assert f"您的申请{application.reference}已审批通过，准予注册。" in texts
        id_number = world.applicant.person.id_number
        for message in OutboxMessage.objects.filter(kind__in=[Kind.SMS, Kind.EMAIL]):
            assert id_number not in str(message.payload)

    def test_a_refusal_gives_the_reasons(self, world):
        application = under_review(world, at(2026, 11, 2))
        services.refuse_application(actor=world.reviewer, application=application, reasons=["资格证书与本人不符"],
                                    now=at(2026, 11, 6))
        assert f"您的申请{application.reference}不予注册，理由：资格证书与本人不符。" in notices_of(world.applicant)

    def test_a_change_of_employer_tells_the_former_employers_operators_not_where_the_person_went(self, world, client):
        from registry.applications.models import ApplicationType, ChangeKind
        from registry.applications.tests.conftest import reported

        now = at(2026, 11, 20)
        application = reported(world.registered, world.operator_b, now, application_type=ApplicationType.CHANGE,
                               change_kind=ChangeKind.EMPLOYER, specialties=[], employer=world.enterprise_b)
        services.accept_due_applications(now=now + timedelta(days=4))
        application.refresh_from_db()
        assert notices_of(world.operator_a) == []  # nothing before the approval
        services.approve_application(actor=world.reviewer, application=application, now=now + timedelta(days=5))
        text = "本单位注册人员李四（注册编号渝2502020202300001）已变更执业企业，不再是本单位注册人员。"
        # Every operator of the former employer, the one who may not confirm too; not the new employer's.
        assert notices_of(world.operator_a) == [text]
        assert notices_of(world.operator_a_readonly) == [text]
        assert text not in notices_of(world.operator_b)
        assert "两江路桥" not in text
        client.force_login(world.operator_a)
        assert text in client.get(reverse("applications:employer_pending")).content.decode()  # 最新通知

    def test_the_mark_is_the_recipients_own(self, world, client):
        application = submitted_initial(world, at(2026, 11, 2))
        services.return_by_employer(actor=world.operator_a, application=application, reason="请补充合同",
                                    now=at(2026, 11, 2, 11))
        assert Notice.objects.filter(user=world.outsider).count() == 0
        client.force_login(world.outsider)
        assert application.reference not in client.get(reverse("applications:mine")).content.decode()


class TestReviewerReminders:
    def test_each_reviewer_is_reminded_once_of_a_deadline_due_soon_then_once_when_overdue(self, world):
        from registry.outbox.reminders import remind_reviewers

        application = under_review(world, at(2026, 11, 2))
        due = application.due_on
        before = at(due.year, due.month, due.day, 9)
        assert remind_reviewers(now=before) == 1
        assert remind_reviewers(now=before) == 1  # the same reminder again: no new notice
        texts = notices_of(world.reviewer)
        assert texts == [f"申请{application.reference}的审查期限{due:%Y-%m-%d}即将届满，请及时办理。"]
        assert notices_of(world.reviewer2) == texts
        after = before + timedelta(days=3)
        remind_reviewers(now=after)
        assert notices_of(world.reviewer)[-1] == f"申请{application.reference}已超过审查期限{due:%Y-%m-%d}，请尽快办理。"

    def test_a_decided_application_is_not_reminded(self, world):
        from registry.outbox.reminders import remind_reviewers

        application = under_review(world, at(2026, 11, 2))
        services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
        assert remind_reviewers(now=at(2026, 12, 30)) == 0


class TestNationalAndWebhooks:
    def test_an_approval_queues_the_national_message_with_only_what_the_platform_needs(self, world):
        application = under_review(world, at(2026, 11, 2))
        services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
        application.refresh_from_db()
        message = OutboxMessage.objects.exclude(payload__type="certificate").get(kind=Kind.NATIONAL)
        registration = application.registration
        assert message.registration_id == registration.pk
        assert message.payload["event"] == "registered"
        snapshot = message.payload["registration"]
        assert snapshot["registration_number"] == registration.number
        assert snapshot["employer"]["credit_code"] == world.enterprise_a.credit_code
        assert [s["code"] for s in snapshot["specialties"]] == ["10401001"]
        assert set(snapshot) == {"registration_number", "status", "name", "id_number", "employer", "specialties"}

    def test_an_approval_rolled_back_leaves_no_message(self, world):
        application = under_review(world, at(2026, 11, 2))

        def fail(**kwargs):
            raise RuntimeError("certificate could not be issued")

        registration_changed.connect(fail, dispatch_uid="test-fail")
        try:
            with pytest.raises(RuntimeError):
                services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
        finally:
            registration_changed.disconnect(dispatch_uid="test-fail")
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_REVIEW
        assert not OutboxMessage.objects.filter(kind=Kind.NATIONAL).exists()
        assert not Notice.objects.filter(text__contains="审批通过").exists()

    def test_a_subscribed_employer_gets_a_webhook_without_the_id_number(self, world):
        subscription = Subscription.objects.create(enterprise=world.enterprise_a, url="https://hr.example.com/hook",
                                                   secret="s" * 32)
        Subscription.objects.create(enterprise=world.enterprise_b, url="https://b.example.com/hook", secret="t" * 32)
        application = under_review(world, at(2026, 11, 2))
        services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
        hooks = {hook.payload["event"]: hook for hook in OutboxMessage.objects.filter(kind=Kind.WEBHOOK)}
        assert set(hooks) == {"registration.registered", "certificate.valid"}
        hook = hooks["registration.registered"]
        assert hook.subscription == subscription
        assert world.applicant.person.id_number not in str(hook.payload)


def test_a_certificate_change_queues_the_national_message_and_the_holders_notice(world):
    from registry.certificates.models import Certificate

    application = under_review(world, at(2026, 11, 2))
    services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
    certificate = Certificate.objects.get(person=world.applicant.person)
    message = OutboxMessage.objects.get(kind=Kind.NATIONAL, payload__type="certificate")
    assert message.payload["event"] == "valid"
    assert message.payload["certificate"] == {"certificate_number": certificate.number, "status": "valid",
                                              "registration_number": certificate.registration_number}
    assert any("证书" in text for text in notices_of(world.applicant))
