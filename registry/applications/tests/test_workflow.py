"""The workflow through its services: every transition, every refusal with its reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.applications import services
from registry.applications.errors import Conflict, NotAllowed, WorkflowError
from registry.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationTransition,
    ApplicationType,
    ChangeKind,
    ProjectLock,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
    Sanction,
    Specialty,
)
from registry.applications.signals import registration_changed
from registry.applications.tests.conftest import (
    PDF_BYTES,
    at,
    draft_initial,
    face,
    reported,
    submitted_initial,
    under_review,
    upload_all,
)
from registry.audit.models import AuditEvent
from registry.people.models import FaceCheck

pytestmark = pytest.mark.django_db


def statuses(application) -> list[tuple[str, str]]:
    return list(application.transitions.values_list("from_status", "to_status"))



def refusal_code(**create) -> str:
    """Return the code of the refusal to open this application (on 2 November 2026)."""
    with pytest.raises(WorkflowError) as err:
        services.create_application(now=at(2026, 11, 2), **create)
    return err.value.code

class TestDraftAndSubmission:
    def test_it_creates_a_draft_with_a_reference_and_a_log_row(self, world):
        application = services.create_application(
            actor=world.applicant, application_type=ApplicationType.INITIAL, specialties=[Specialty.BUILDING],
            employer=world.enterprise_a, now=at(2026, 11, 2),
        )
        assert application.status == ApplicationStatus.DRAFT
        assert application.reference.startswith("SQ2026")
        assert statuses(application) == [("", "draft")]
        assert AuditEvent.objects.filter(action="applications.application.created", target_id=str(application.pk)).exists()

    def test_it_refuses_a_second_open_application(self, world):
        draft_initial(world, at(2026, 11, 2))
        with pytest.raises(WorkflowError) as err:
            draft_initial(world, at(2026, 11, 2))
        assert err.value.code == "open_application"
        assert "正在办理" in err.value.message

    def test_it_refuses_an_initial_application_from_a_registered_person(self, world):
        assert refusal_code(actor=world.registered, application_type=ApplicationType.INITIAL,
                            specialties=[Specialty.BUILDING], employer=world.enterprise_a) == "registration_exists"

    def test_it_refuses_a_renewal_without_a_registration(self, world):
        assert refusal_code(actor=world.applicant, application_type=ApplicationType.RENEWAL,
                            specialties=[Specialty.BUILDING]) == "no_registration"

    def test_it_refuses_an_unknown_specialty_and_an_empty_choice(self, world):
        for codes, code in ((["99999999"], "bad_specialty"), ([], "no_specialty")):
            assert refusal_code(actor=world.applicant, application_type=ApplicationType.INITIAL,
                                specialties=codes, employer=world.enterprise_a) == code
        assert not Application.objects.exists()

    def test_only_applicants_open_applications(self, world):
        with pytest.raises(NotAllowed):
            services.create_application(actor=world.operator_a, application_type=ApplicationType.INITIAL,
                                        specialties=[Specialty.BUILDING], employer=world.enterprise_a, now=at(2026, 11, 2))

    def test_submission_lists_the_missing_materials(self, world):
        now = at(2026, 11, 2)
        application = services.create_application(
            actor=world.applicant, application_type=ApplicationType.INITIAL, specialties=[Specialty.BUILDING],
            employer=world.enterprise_a, now=now)
        face(world.applicant, now)
        with pytest.raises(WorkflowError) as err:
            services.submit_application(actor=world.applicant, application=application, now=now)
        assert err.value.code == "missing_materials"
        assert "注册申请表" in err.value.message and "一寸免冠照片" in err.value.message
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DRAFT
        assert FaceCheck.objects.get().used_at is None  # a refused submission does not spend the face check

    def test_submission_without_a_face_check_is_refused(self, world):
        now = at(2026, 11, 2)
        application = draft_initial(world, now)
        with pytest.raises(WorkflowError) as err:
            services.submit_application(actor=world.applicant, application=application, now=now)
        assert err.value.code == "face_check_required"
        assert "人脸识别" in err.value.message

    def test_a_face_check_is_single_use_and_expires(self, world):
        now = at(2026, 11, 2)
        application = draft_initial(world, now)
        face(world.applicant, now - timedelta(minutes=11))  # stale: older than ten minutes
        with pytest.raises(WorkflowError):
            services.submit_application(actor=world.applicant, application=application, now=now)
        check = face(world.applicant, now)
        services.submit_application(actor=world.applicant, application=application, now=now)
        check.refresh_from_db()
        assert check.used_at == now and check.used_for == application.reference
        # Returned for editing, the applicant needs a new face check to submit again.
        services.return_by_employer(actor=world.operator_a, application=application, reason="合同扫描件不清晰", now=now)
        with pytest.raises(WorkflowError) as err:
            services.submit_application(actor=world.applicant, application=application, now=now)
        assert err.value.code == "face_check_required"

    def test_another_persons_face_check_does_not_count(self, world):
        now = at(2026, 11, 2)
        application = draft_initial(world, now)
        face(world.outsider, now)
        with pytest.raises(WorkflowError):
            services.submit_application(actor=world.applicant, application=application, now=now)

    def test_the_applicant_submits_to_the_employer(self, world):
        application = submitted_initial(world, at(2026, 11, 2))
        assert application.status == ApplicationStatus.AWAITING_EMPLOYER
        assert statuses(application)[-1] == ("draft", "awaiting_employer")

    def test_nobody_else_submits_or_edits_it(self, world):
        now = at(2026, 11, 2)
        application = draft_initial(world, now)
        with pytest.raises(NotAllowed):
            services.submit_application(actor=world.outsider, application=application, now=now)
        with pytest.raises(NotAllowed):
            services.update_application(actor=world.outsider, application=application, now=now, specialties=[Specialty.HIGHWAY])

    def test_submitted_applications_cannot_be_edited(self, world):
        now = at(2026, 11, 2)
        application = submitted_initial(world, now)
        with pytest.raises(WorkflowError) as err:
            services.update_application(actor=world.applicant, application=application, now=now, specialties=[Specialty.HIGHWAY])
        assert err.value.code == "not_editable"

    def test_the_applicant_withdraws_before_confirmation(self, world):
        now = at(2026, 11, 2)
        application = submitted_initial(world, now)
        services.withdraw_application(actor=world.applicant, application=application, now=now)
        assert application.status == ApplicationStatus.WITHDRAWN
        draft_initial(world, now)  # a withdrawn application no longer blocks a new one


class TestUploads:
    def test_a_bad_upload_is_refused_and_keeps_what_was_saved(self, world):
        now = at(2026, 11, 2)
        application = draft_initial(world, now)
        before = application.materials.count()
        for data, fragment in ((b"MZ\x90\x00not a document", "只接受"), (b"%PDF-1.4 truncated", "不完整"),
                               (b"", "空的")):
            with pytest.raises(WorkflowError) as err:
                services.add_material(actor=world.applicant, application=application, kind="contract",
                                      data=data, original_name="x.exe", now=now)
            assert fragment in err.value.message
        assert application.materials.count() == before

    def test_a_photo_must_be_an_image(self, world):
        now = at(2026, 11, 2)
        application = draft_initial(world, now)
        with pytest.raises(WorkflowError) as err:
            services.add_material(actor=world.applicant, application=application, kind="photo",
                                  data=PDF_BYTES, original_name="photo.pdf", now=now)
        assert "JPEG 或 PNG" in err.value.message

    def test_images_are_re_encoded_and_names_sanitised(self, world, settings, tmp_path):
        settings.PRIVATE_STORAGE_ROOT = tmp_path
        import io

        from PIL import Image

        from registry.files import open_private

        buffer = io.BytesIO()
        Image.new("RGB", (100, 100), (10, 20, 30)).save(buffer, "JPEG", exif=b"Exif\x00\x00secret-gps")
        now = at(2026, 11, 2)
        application = services.create_application(
            actor=world.applicant, application_type=ApplicationType.INITIAL, specialties=[Specialty.BUILDING],
            employer=world.enterprise_a, now=now)
        material = services.add_material(actor=world.applicant, application=application, kind="photo",
                                         data=buffer.getvalue(), original_name="../../etc/照片.jpg", now=now)
        stored = open_private(material.storage_name)
        assert b"secret-gps" not in stored
        assert Image.open(io.BytesIO(stored)).format == "JPEG"
        assert material.original_name == "照片.jpg"


class TestEmployer:
    def test_the_employer_returns_it_with_a_reason(self, world):
        now = at(2026, 11, 2)
        application = submitted_initial(world, now)
        with pytest.raises(WorkflowError) as err:
            services.return_by_employer(actor=world.operator_a, application=application, reason="  ", now=now)
        assert err.value.code == "reason_required"
        services.return_by_employer(actor=world.operator_a, application=application, reason="合同已过期", now=now)
        assert application.status == ApplicationStatus.RETURNED
        last = application.transitions.last()
        assert (last.from_status, last.to_status, last.reason) == ("awaiting_employer", "returned", "合同已过期")
        # The applicant edits and submits again.
        services.update_application(actor=world.applicant, application=application, now=now,
                                    specialties=[Specialty.BUILDING])
        face(world.applicant, now)
        services.submit_application(actor=world.applicant, application=application, now=now)
        assert application.status == ApplicationStatus.AWAITING_EMPLOYER

    def test_another_employer_cannot_confirm(self, world):
        now = at(2026, 11, 2)
        application = submitted_initial(world, now)
        with pytest.raises(NotAllowed):
            services.confirm_by_employer(actor=world.operator_b, application=application, now=now)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.AWAITING_EMPLOYER

    def test_an_operator_without_the_confirm_right_cannot_confirm(self, world):
        now = at(2026, 11, 2)
        application = submitted_initial(world, now)
        with pytest.raises(NotAllowed) as err:
            services.confirm_by_employer(actor=world.operator_a_readonly, application=application, now=now)
        assert "未授权" in err.value.message

    def test_an_unauthenticated_employer_cannot_confirm(self, world):
        from registry.people.models import EnterpriseOperator, Role, User

        clerk = User.objects.create_user(username="corp_c", password=None, role=Role.ENTERPRISE)
        EnterpriseOperator.objects.create(user=clerk, enterprise=world.enterprise_unauth)
        now = at(2026, 11, 2)
        application = submitted_initial(world, now, employer=world.enterprise_unauth)
        with pytest.raises(NotAllowed) as err:
            services.confirm_by_employer(actor=clerk, application=application, now=now)
        assert "身份认证" in err.value.message

    def test_a_draft_cannot_be_confirmed(self, world):
        now = at(2026, 11, 2)
        application = draft_initial(world, now)
        with pytest.raises(WorkflowError) as err:
            services.confirm_by_employer(actor=world.operator_a, application=application, now=now)
        assert err.value.code == "illegal_transition"


class TestComparisonAndAcceptance:
    def test_confirmation_reports_and_schedules_acceptance_on_the_second_working_day(self, world):
        # Friday 2026-11-20: the second working day after it is Tuesday 2026-11-24.
        now = at(2026, 11, 20)
        application = submitted_initial(world, now)
        services.confirm_by_employer(actor=world.operator_a, application=application, now=now)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PENDING_ACCEPTANCE
        assert application.submitted_at == now
        assert application.accept_on == date(2026, 11, 24)
        assert all(f["passed"] for f in application.comparison)

    def test_the_sweep_accepts_on_the_day_only_and_only_once(self, world):
        now = at(2026, 11, 20)
        application = submitted_initial(world, now)
        services.confirm_by_employer(actor=world.operator_a, application=application, now=now)
        assert services.accept_due_applications(now=at(2026, 11, 23, 23)) == 0
        assert services.accept_due_applications(now=at(2026, 11, 24, 0)) == 1
        assert services.accept_due_applications(now=at(2026, 11, 24, 1)) == 0
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW
        assert application.receipt_number.startswith("SL2026")
        # Ten working days from Tuesday 2026-11-24.
        assert application.due_on == date(2026, 12, 8)
        assert statuses(application)[-1] == ("pending_acceptance", "under_review")

    def test_acceptance_and_deadline_skip_the_national_day_holiday(self, world):
        # Confirmed Wednesday 2026-09-30: 1–7 October are holidays, so the 2nd working day is Friday 9 October;
        # Saturday 10 October is an adjusted working day and counts towards the ten.
        application = under_review(world, at(2026, 9, 30))
        assert application.accept_on == date(2026, 10, 9)
        assert application.due_on == date(2026, 10, 22)

    def test_a_change_gets_three_working_days(self, world):
        now = at(2026, 11, 20)
        application = reported(world.registered, world.operator_b, now, application_type=ApplicationType.CHANGE,
                               change_kind=ChangeKind.EMPLOYER, specialties=[], employer=world.enterprise_b)
        services.accept_due_applications(now=at(2026, 11, 24, 1))
        application.refresh_from_db()
        assert application.due_on == date(2026, 11, 27)

    def test_a_deadline_reaching_into_2027_falls_back_to_weekends_and_says_so(self, world):
        from registry.applications import deadlines

        application = under_review(world, at(2026, 12, 22))
        assert application.accept_on == date(2026, 12, 24)
        # 2027 has no published calendar: 1 January 2027 (Friday) counts as a working day.
        assert application.due_on == date(2027, 1, 7)
        assert "2027" in deadlines.deadline_notice(application.accept_on, application.due_on)

    def test_failed_comparison_is_not_accepted_with_every_reason(self, world):
        now = at(2026, 11, 2)
        Sanction.objects.create(id_number=world.applicant.person.id_number, kind="false_materials",
                                decided_on=date(2026, 3, 1))
        application = reported(world.applicant, world.operator_a, now, application_type=ApplicationType.INITIAL,
                               specialties=[Specialty.BUILDING, Specialty.HIGHWAY], employer=world.enterprise_a)
        assert application.status == ApplicationStatus.NOT_ACCEPTED
        failed = {f["code"] for f in application.comparison if not f["passed"]}
        assert failed == {"qualification.missing", "sanction.false_materials"}
        assert any("公路工程" in r for r in application.decision_reasons)
        assert any("虚假材料" in r for r in application.decision_reasons)
        assert statuses(application)[-1] == ("pending_acceptance", "not_accepted")
        assert services.accept_due_applications(now=at(2026, 11, 10)) == 0

    def test_an_employer_change_is_refused_while_a_project_is_locked(self, world):
        now = at(2026, 11, 2)
        ProjectLock.objects.create(person=world.registered.person, project_name="两江新区某安置房项目")
        application = reported(world.registered, world.operator_b, now, application_type=ApplicationType.CHANGE,
                               change_kind=ChangeKind.EMPLOYER, specialties=[], employer=world.enterprise_b)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.NOT_ACCEPTED
        assert [f["code"] for f in application.comparison if not f["passed"]] == ["project.locked"]


class TestReview:
    def test_approval_of_an_initial_registration(self, world):
        received = []
        registration_changed.connect(lambda **kw: received.append(kw["change"]), weak=False, dispatch_uid="t1")
        try:
            application = under_review(world, at(2026, 11, 20))
            services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
        finally:
            registration_changed.disconnect(dispatch_uid="t1")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPROVED
        registration = Registration.objects.get(person=world.applicant.person)
        assert registration.number == "渝2502024202600001"
        assert registration.employer == world.enterprise_a
        spec = registration.specialties.get()
        assert (spec.valid_from, spec.valid_to) == (date(2026, 11, 26), date(2029, 11, 25))
        assert RegistrationTransition.objects.filter(registration=registration, action="registered").exists()
        assert received == ["approved"]

    def test_validity_never_passes_the_65th_birthday(self, world):
        person = world.applicant.person
        person.birth_date = date(1962, 3, 1)
        person.save()
        application = under_review(world, at(2026, 11, 20))
        services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
        spec = Registration.objects.get(person=person).specialties.get()
        assert spec.valid_to == date(2027, 2, 28)

    def test_only_reviewers_decide(self, world):
        application = under_review(world, at(2026, 11, 20))
        for actor in (world.applicant, world.operator_a):
            with pytest.raises(NotAllowed):
                services.approve_application(actor=actor, application=application, now=at(2026, 11, 26))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW

    def test_refusal_needs_reasons(self, world):
        application = under_review(world, at(2026, 11, 20))
        with pytest.raises(WorkflowError) as err:
            services.refuse_application(actor=world.reviewer, application=application, reasons=[" "], now=at(2026, 11, 26))
        assert err.value.code == "reason_required"
        services.refuse_application(actor=world.reviewer, application=application,
                                    reasons=["劳动合同期限不足", "学历证书无法核实"], now=at(2026, 11, 26))
        assert application.status == ApplicationStatus.REFUSED
        assert application.decision_reasons == ["劳动合同期限不足", "学历证书无法核实"]
        assert not Registration.objects.filter(person=world.applicant.person).exists()

    def test_supplement_stops_the_clock_and_resubmission_restarts_it(self, world):
        application = under_review(world, at(2026, 11, 20))  # accepted 24 Nov, due 8 Dec
        services.request_supplement(actor=world.reviewer, application=application, reason="请补充学历证书",
                                    now=at(2026, 11, 26))
        assert application.status == ApplicationStatus.SUPPLEMENT
        assert application.paused_workdays_left == 8  # 27 Nov .. 8 Dec
        with pytest.raises(WorkflowError):
            services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 27))
        services.add_material(actor=world.applicant, application=application, kind="diploma",
                              data=PDF_BYTES, original_name="diploma.pdf", now=at(2026, 12, 7))
        with pytest.raises(WorkflowError) as err:  # every submission needs a fresh face check (附件二 一)
            services.resubmit_supplement(actor=world.applicant, application=application, now=at(2026, 12, 7))
        assert err.value.code == "face_check_required" and "提交补正前须完成人脸识别" in err.value.message
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUPPLEMENT
        face(world.applicant, at(2026, 12, 7))
        services.resubmit_supplement(actor=world.applicant, application=application, now=at(2026, 12, 7))
        assert application.status == ApplicationStatus.UNDER_REVIEW
        assert FaceCheck.objects.filter(person=world.applicant.person, used_at__isnull=True).count() == 0
        assert application.due_on == date(2026, 12, 17)  # eight working days after Monday 7 Dec
        actions = list(application.transitions.values_list("action", flat=True))
        assert actions[-2:] == ["request_supplement", "resubmit_supplement"]

    def test_a_stale_second_decision_loses(self, world):
        application = under_review(world, at(2026, 11, 20))
        stale = Application.objects.get(pk=application.pk)
        services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
        with pytest.raises(Conflict):
            services.refuse_application(actor=world.reviewer2, application=stale, reasons=["不符合条件"],
                                        now=at(2026, 11, 26))
        stale.refresh_from_db()
        assert stale.status == ApplicationStatus.APPROVED
        assert ApplicationTransition.objects.filter(application=application, to_status="refused").count() == 0
        assert Registration.objects.filter(person=world.applicant.person).count() == 1


class TestRegistrationChanges:
    def _through_review(self, world, user, employer_operator, application_type, specialties, now, **kwargs):
        application = reported(user, employer_operator, now, application_type=application_type,
                               specialties=specialties, **kwargs)
        assert application.status == ApplicationStatus.PENDING_ACCEPTANCE, application.comparison
        services.accept_due_applications(now=now + timedelta(days=7))
        application.refresh_from_db()
        services.approve_application(actor=world.reviewer, application=application, now=now + timedelta(days=8))
        return Registration.objects.get(person=user.person)

    def test_renewal_extends_the_renewed_specialty(self, world):
        # Expires 2026-12-31; the renewal window is 2 Oct .. 1 Dec.
        registration = self._through_review(world, world.registered, world.operator_a, ApplicationType.RENEWAL,
                                            [Specialty.BUILDING], at(2026, 11, 2))
        spec = registration.specialties.get(specialty=Specialty.BUILDING)
        assert (spec.valid_from, spec.valid_to) == (date(2027, 1, 1), date(2029, 12, 31))
        assert registration.number == "渝2502020202300001"

    # 李四's 建筑工程 runs to 2026-12-31: the renewal window is 2 Oct (90 days before) to 1 Dec (30 days before).
    def test_renewal_after_the_window_cannot_be_created(self, world):
        with pytest.raises(WorkflowError) as err:
            services.create_application(actor=world.registered, application_type=ApplicationType.RENEWAL,
                                        specialties=[Specialty.BUILDING], now=at(2026, 12, 10))
        assert err.value.code == "renewal_too_late"
        assert "2026年10月2日至2026年12月1日" in err.value.message and "已超过申请期" in err.value.message
        assert not Application.objects.filter(person=world.registered.person).exists()

    def test_renewal_before_the_window_cannot_be_created(self, world):
        with pytest.raises(WorkflowError) as err:
            services.create_application(actor=world.registered, application_type=ApplicationType.RENEWAL,
                                        specialties=[Specialty.BUILDING], now=at(2026, 10, 1))
        assert err.value.code == "renewal_too_early"
        assert "2026年10月2日至2026年12月1日" in err.value.message and "尚未到申请期" in err.value.message
        assert not Application.objects.filter(person=world.registered.person).exists()

    def test_renewal_on_the_windows_first_and_last_day_is_allowed(self, world):
        first = services.create_application(actor=world.registered, application_type=ApplicationType.RENEWAL,
                                            specialties=[Specialty.BUILDING], now=at(2026, 10, 2))
        services.withdraw_application(actor=world.registered, application=first, now=at(2026, 10, 2))
        last = reported(world.registered, world.operator_a, at(2026, 12, 1), application_type=ApplicationType.RENEWAL,
                        specialties=[Specialty.BUILDING])
        assert last.status == ApplicationStatus.PENDING_ACCEPTANCE

    def test_renewal_submitted_after_the_window_is_refused(self, world):
        application = services.create_application(actor=world.registered, application_type=ApplicationType.RENEWAL,
                                                  specialties=[Specialty.BUILDING], now=at(2026, 11, 30))
        upload_all(world.registered, application, at(2026, 11, 30))
        face(world.registered, at(2026, 12, 2))
        with pytest.raises(WorkflowError) as err:
            services.submit_application(actor=world.registered, application=application, now=at(2026, 12, 2))
        assert err.value.code == "renewal_too_late" and "2026年12月1日" in err.value.message
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT

    def test_add_specialty_keeps_the_others(self, world):
        registration = self._through_review(world, world.registered, world.operator_a, ApplicationType.ADD_SPECIALTY,
                                            [Specialty.MUNICIPAL], at(2026, 11, 2))
        building = registration.specialties.get(specialty=Specialty.BUILDING)
        municipal = registration.specialties.get(specialty=Specialty.MUNICIPAL)
        assert building.valid_to == date(2026, 12, 31)
        assert municipal.valid_from == date(2026, 11, 10)
        assert municipal.valid_to == date(2029, 11, 9)

    def test_change_of_employer_keeps_validity(self, world):
        registration = self._through_review(world, world.registered, world.operator_b, ApplicationType.CHANGE, [],
                                            at(2026, 11, 2), change_kind=ChangeKind.EMPLOYER,
                                            employer=world.enterprise_b)
        assert registration.employer == world.enterprise_b
        assert registration.specialties.get().valid_to == date(2026, 12, 31)

    def test_cancellation_completes_when_the_employer_confirms(self, world):
        received = []
        registration_changed.connect(lambda **kw: received.append(kw["change"]), weak=False, dispatch_uid="t2")
        now = at(2026, 11, 2)
        try:
            application = reported(world.registered, world.operator_a, now, application_type=ApplicationType.CANCELLATION,
                                   specialties=[Specialty.BUILDING], details={"cancellation_reason": "解除劳动合同"})
        finally:
            registration_changed.disconnect(dispatch_uid="t2")
        assert application.status == ApplicationStatus.COMPLETED
        registration = Registration.objects.get(person=world.registered.person)
        assert registration.status == RegistrationStatus.CANCELLED
        assert registration.specialties.get().status == RegistrationStatus.CANCELLED
        assert received == ["cancelled"]
        assert not application.receipt_number  # no review, no acceptance

    def test_re_registration_keeps_the_number(self, world):
        now = at(2026, 11, 2)
        registration = Registration.objects.get(person=world.registered.person)
        registration.status = RegistrationStatus.CANCELLED
        registration.save()
        registration = self._through_review(world, world.registered, world.operator_a, ApplicationType.REREGISTRATION,
                                            [Specialty.BUILDING], now, employer=world.enterprise_a)
        assert registration.number == "渝2502020202300001"
        assert registration.status == RegistrationStatus.ACTIVE
        assert registration.specialties.get().valid_to == date(2029, 11, 9)


class TestRefusedMoves:
    def test_nothing_moves_from_a_state_that_does_not_allow_it(self, world):
        application = under_review(world, at(2026, 11, 20))
        now = at(2026, 11, 26)
        calls = [
            lambda: services.withdraw_application(actor=world.applicant, application=application, now=now),
            lambda: services.confirm_by_employer(actor=world.operator_a, application=application, now=now),
            lambda: services.return_by_employer(actor=world.operator_a, application=application, reason="x", now=now),
            lambda: services.resubmit_supplement(actor=world.applicant, application=application, now=now),
            lambda: services.accept_application(application=application, now=now),
        ]
        for call in calls:
            with pytest.raises(WorkflowError) as err:
                call()
            assert err.value.code == "illegal_transition"
            assert "当前状态（已受理，审查中）下不能进行此操作" in err.value.message
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW
        assert statuses(application)[-1] == ("pending_acceptance", "under_review")

    def test_a_decided_application_stays_decided(self, world):
        application = under_review(world, at(2026, 11, 20))
        services.refuse_application(actor=world.reviewer, application=application, reasons=["不符合条件"], now=at(2026, 11, 26))
        for call in (
            lambda: services.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 27)),
            lambda: services.request_supplement(actor=world.reviewer, application=application, reason="补", now=at(2026, 11, 27)),
        ):
            with pytest.raises(WorkflowError):
                call()
        assert not Registration.objects.filter(person=world.applicant.person).exists()

    def test_only_the_owner_hands_in_supplementary_material_and_only_reviewers_ask_for_it(self, world):
        application = under_review(world, at(2026, 11, 20))
        with pytest.raises(NotAllowed):
            services.request_supplement(actor=world.operator_a, application=application, reason="补", now=at(2026, 11, 26))
        services.request_supplement(actor=world.reviewer, application=application, reason="补充学历", now=at(2026, 11, 26))
        with pytest.raises(NotAllowed):
            services.resubmit_supplement(actor=world.outsider, application=application, now=at(2026, 11, 27))
        with pytest.raises(WorkflowError) as err:
            services.request_supplement(actor=world.reviewer, application=application, reason="", now=at(2026, 11, 26))
        assert err.value.code == "reason_required"



class TestSpecialtiesMustFitTheRegistration:
    """李四 holds 建筑工程 only (valid to 31 December 2026; its renewal window is open on 2 November 2026)."""

    def refusal(self, world, application_type, specialties) -> WorkflowError:
        with pytest.raises(WorkflowError) as err:
            services.create_application(actor=world.registered, application_type=application_type,
                                        specialties=specialties, now=at(2026, 11, 2))
        assert not Application.objects.exists()
        return err.value

    def test_a_renewal_of_a_specialty_not_held_is_refused_naming_it(self, world):
        error = self.refusal(world, ApplicationType.RENEWAL, [Specialty.BUILDING, Specialty.MUNICIPAL])
        assert error.code == "specialty_not_registered"
        assert "市政公用工程专业不在您的有效注册中" in error.message and "延续注册只能办理已注册的专业" in error.message
        assert "建筑工程" not in error.message

    def test_an_added_specialty_already_held_is_refused_naming_it(self, world):
        error = self.refusal(world, ApplicationType.ADD_SPECIALTY, [Specialty.BUILDING])
        assert error.code == "specialty_already_registered"
        assert "建筑工程专业已在您的有效注册中" in error.message and "不能再增项注册" in error.message

    def test_a_cancellation_of_a_specialty_not_held_is_refused_naming_it(self, world):
        error = self.refusal(world, ApplicationType.CANCELLATION, [Specialty.MINING])
        assert error.code == "specialty_not_registered"
        assert "矿业工程专业不在您的有效注册中" in error.message and "只能注销已注册的专业" in error.message

    def test_fitting_specialties_are_accepted(self, world):
        now = at(2026, 11, 2)
        renewal = services.create_application(actor=world.registered, application_type=ApplicationType.RENEWAL,
                                              specialties=[Specialty.BUILDING], now=now)
        assert renewal.specialties == [Specialty.BUILDING]
        services.withdraw_application(actor=world.registered, application=renewal, now=now)
        added = services.create_application(actor=world.registered, application_type=ApplicationType.ADD_SPECIALTY,
                                            specialties=[Specialty.MUNICIPAL], now=now)
        assert added.specialties == [Specialty.MUNICIPAL]

    def test_editing_a_draft_cannot_bring_in_a_specialty_that_does_not_fit(self, world):
        now = at(2026, 11, 2)
        renewal = services.create_application(actor=world.registered, application_type=ApplicationType.RENEWAL,
                                              specialties=[Specialty.BUILDING], now=now)
        with pytest.raises(WorkflowError) as err:
            services.update_application(actor=world.registered, application=renewal, now=now,
                                        specialties=[Specialty.HIGHWAY])
        assert err.value.code == "specialty_not_registered" and "公路工程" in err.value.message
        renewal.refresh_from_db()
        assert renewal.specialties == [Specialty.BUILDING]

    def test_a_draft_that_no_longer_fits_is_not_submitted(self, world):
        # A draft stored before this check existed (or whose registration changed since) names a specialty not held.
        now = at(2026, 11, 2)
        renewal = services.create_application(actor=world.registered, application_type=ApplicationType.RENEWAL,
                                              specialties=[Specialty.BUILDING], now=now)
        Application.objects.filter(pk=renewal.pk).update(specialties=[Specialty.MUNICIPAL])
        renewal.refresh_from_db()
        upload_all(world.registered, renewal, now)
        face(world.registered, now)
        with pytest.raises(WorkflowError) as err:
            services.submit_application(actor=world.registered, application=renewal, now=now)
        assert err.value.code == "specialty_not_registered"
        renewal.refresh_from_db()
        assert renewal.status == ApplicationStatus.DRAFT
