"""Every state change of applications and registrations, one function per use case.

Each function takes the actor and the object, checks permission and the current state, runs in one
transaction, changes status by compare-and-set (so two reviewers clicking at once cannot both win),
writes the transition log and the audit log, and leaves side effects to signals and on_commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.applications import deadlines, rules
from registry.applications.errors import Conflict, NotAllowed, WorkflowError
from registry.applications.materials import IMAGE_ONLY, missing_materials, required_materials
from registry.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationTransition,
    ApplicationType,
    ChangeKind,
    ContinuingEducation,
    Counter,
    Material,
    MaterialKind,
    ProjectLock,
    Qualification,
    Registration,
    RegistrationSpecialty,
    RegistrationStatus,
    RegistrationTransition,
    Sanction,
    Specialty,
)
from registry.applications.signals import registration_changed
from registry.applications.workflow import EDITABLE, Action, IllegalTransition, next_status
from registry.audit.log import log_action
from registry.files import UploadRejected, clean_upload, store_private
from registry.identifiers import format_registration_number
from registry.people.face import FaceCheckRequired, consume_face_check
from registry.people.models import Enterprise, EnterpriseOperator, FacePurpose, Person, Role

# Personal data an approved change of personal data may update.
PERSONAL_FIELDS = ("name", "mobile", "email")

NEEDS_REGISTRATION = {
    ApplicationType.RENEWAL, ApplicationType.CHANGE, ApplicationType.ADD_SPECIALTY, ApplicationType.CANCELLATION,
}


# --- helpers -----------------------------------------------------------------------------------

def next_number(name: str) -> int:
    """Return the next value of a named counter; call inside a transaction."""
    Counter.objects.get_or_create(name=name)
    counter = Counter.objects.select_for_update().get(name=name)
    Counter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
    return counter.value + 1


def _local(now: datetime) -> date:
    return timezone.localdate(now)


def _person_of(actor) -> Person:
    person = getattr(actor, "person", None) if actor is not None else None
    if person is None or actor.role != Role.APPLICANT:
        raise NotAllowed(_("只有实名认证的申请人本人可以办理。"))
    return person


def _require_owner(actor, application: Application) -> Person:
    person = _person_of(actor)
    if application.person_id != person.pk:
        raise NotAllowed(_("只能办理本人的申请。"))
    return person


def _require_confirming_operator(actor, application: Application) -> None:
    if actor is None or actor.role != Role.ENTERPRISE:
        raise NotAllowed(_("只有聘用企业的经办人可以确认申请。"))
    link = EnterpriseOperator.objects.filter(user=actor, enterprise_id=application.employer_id).first()
    if link is None:
        raise NotAllowed(_("只有聘用企业的经办人可以确认申请。"))
    if not link.can_confirm:
        raise NotAllowed(_("本单位未授权您确认注册申请，请联系单位管理员。"))
    if not application.employer.is_authenticated_employer:
        raise NotAllowed(_("本单位尚未完成身份认证，不能确认申请。"))


def _require_reviewer(actor) -> None:
    if actor is None or actor.role != Role.REVIEWER:
        raise NotAllowed(_("只有审批人员可以办理。"))


def _transition(
    application: Application,
    action: Action,
    *,
    actor,
    now: datetime,
    reason: str = "",
    details: dict | None = None,
    **fields,
) -> Application:
    """Move the application by one action of the workflow table, or raise Conflict/WorkflowError."""
    old = application.status
    try:
        new = next_status(old, action)
    except IllegalTransition:
        raise WorkflowError(
            _("当前状态（%(status)s）下不能进行此操作。") % {"status": ApplicationStatus(old).label},
            code="illegal_transition",
        ) from None
    changed = Application.objects.filter(pk=application.pk, status=old).update(status=new, updated_at=now, **fields)
    if changed != 1:
        raise Conflict(_("该申请已被他人处理或状态已变化，请刷新页面后查看。"))
    application.status = new
    for key, value in fields.items():
        setattr(application, key, value)
    ApplicationTransition.objects.create(
        application=application, at=now, actor=actor if getattr(actor, "pk", None) else None,
        from_status=old, to_status=new, action=action.value, reason=reason, details=details or {},
    )
    log_action(
        f"applications.application.{action.value}", now=now, actor=actor, target=application,
        details={"reference": application.reference, "from": old, "to": new, **({"reason": reason} if reason else {})},
    )
    return application


def _log_registration(registration: Registration, *, action: str, actor, now: datetime, from_status: str,
                      application: Application | None = None, reason: str = "", details: dict | None = None) -> None:
    RegistrationTransition.objects.create(
        registration=registration, application=application, at=now,
        actor=actor if getattr(actor, "pk", None) else None, from_status=from_status,
        to_status=registration.status, action=action, reason=reason, details=details or {},
    )
    log_action(f"applications.registration.{action}", now=now, actor=actor, target=registration,
               details={"number": registration.number, "application": application.reference if application else ""})


def active_registration(person: Person) -> Registration | None:
    return (
        Registration.objects.filter(person=person, status=RegistrationStatus.ACTIVE)
        .select_related("employer").prefetch_related("specialties").first()
    )


def _validate_specialties(codes: list[str]) -> list[str]:
    valid = set(Specialty.values)
    cleaned = []
    for code in codes:
        if code not in valid:
            raise WorkflowError(_("注册专业“%(code)s”无效。") % {"code": code}, code="bad_specialty")
        if code not in cleaned:
            cleaned.append(code)
    if not cleaned:
        raise WorkflowError(_("请至少选择一个注册专业。"), code="no_specialty")
    return cleaned


# --- the applicant -----------------------------------------------------------------------------

@transaction.atomic
def create_application(
    *,
    actor,
    application_type: str,
    specialties: list[str],
    now: datetime,
    employer: Enterprise | None = None,
    change_kind: str = "",
    details: dict | None = None,
) -> Application:
    """Open a draft application of the actor's own person."""
    person = _person_of(actor)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise concurrent drafts of one person
    if application_type not in ApplicationType.values:
        raise WorkflowError(_("申请类型无效。"), code="bad_type")
    if Application.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise WorkflowError(_("您已有正在办理的申请，办结或撤回后才能提出新的申请。"), code="open_application")
    registration = active_registration(person)
    if application_type in NEEDS_REGISTRATION and registration is None:
        raise WorkflowError(_("您目前没有有效的注册，不能办理%(type)s。") % {"type": ApplicationType(application_type).label},
                            code="no_registration")
    if application_type in {ApplicationType.INITIAL, ApplicationType.REREGISTRATION} and registration is not None:
        raise WorkflowError(_("您已有有效注册，不能再申请%(type)s。") % {"type": ApplicationType(application_type).label},
                            code="registration_exists")
    if application_type == ApplicationType.CHANGE:
        if change_kind not in ChangeKind.values:
            raise WorkflowError(_("请选择变更类型。"), code="bad_change_kind")
    else:
        change_kind = ""
    if registration is not None:
        registered = [s.specialty for s in registration.active_specialties()]
        if application_type in {ApplicationType.CHANGE}:
            specialties = registered
        if application_type == ApplicationType.CHANGE and change_kind == ChangeKind.EMPLOYER:
            if employer is None:
                raise WorkflowError(_("请填写新聘用企业。"), code="no_employer")
            if employer.pk == registration.employer_id:
                raise WorkflowError(_("新聘用企业与现聘用企业相同。"), code="same_employer")
        else:
            employer = registration.employer
    if employer is None:
        raise WorkflowError(_("请填写聘用企业。"), code="no_employer")
    specialties = _validate_specialties(list(specialties))
    if application_type == ApplicationType.CANCELLATION:
        unknown = [c for c in specialties if c not in registered]
        if unknown:
            raise WorkflowError(_("只能注销已注册的专业。"), code="bad_specialty")
    year = _local(now).year
    reference = f"SQ{year}{next_number(f'application:{year}'):06d}"
    application = Application.objects.create(
        reference=reference, type=application_type, change_kind=change_kind, person=person, employer=employer,
        registration=registration, specialties=specialties, details=details or {}, created_at=now,
    )
    ApplicationTransition.objects.create(
        application=application, at=now, actor=actor, from_status="", to_status=application.status, action="create",
    )
    log_action("applications.application.created", now=now, actor=actor, target=application, details={"reference": reference})
    return application


@transaction.atomic
def update_application(*, actor, application: Application, now: datetime, specialties: list[str] | None = None,
                       employer: Enterprise | None = None, details: dict | None = None) -> Application:
    """Change the data of an editable application of the actor's own."""
    _require_owner(actor, application)
    if application.status not in EDITABLE:
        raise WorkflowError(_("申请已提交，不能再修改。"), code="not_editable")
    fields = {}
    if specialties is not None and application.type not in {ApplicationType.CHANGE}:
        fields["specialties"] = _validate_specialties(specialties)
    # The employer is the applicant's choice only for a first registration or a change of employer.
    chooses_employer = application.registration_id is None or (
        application.type == ApplicationType.CHANGE and application.change_kind == ChangeKind.EMPLOYER)
    if employer is not None and chooses_employer:
        fields["employer"] = employer
    if details is not None:
        fields["details"] = {**application.details, **details}
    changed = Application.objects.filter(pk=application.pk, status=application.status).update(updated_at=now, **fields)
    if changed != 1:
        raise Conflict(_("该申请的状态已变化，请刷新页面后重试。"))
    for key, value in fields.items():
        setattr(application, key, value)
    return application


@transaction.atomic
def add_material(*, actor, application: Application, kind: str, data: bytes, original_name: str,
                 now: datetime) -> Material:
    """Check, re-encode and store one uploaded scan; earlier uploads of the same kind stay until removed."""
    _require_owner(actor, application)
    if application.status not in EDITABLE and application.status != ApplicationStatus.SUPPLEMENT:
        raise WorkflowError(_("当前状态下不能上传材料。"), code="not_editable")
    if kind not in MaterialKind.values:
        raise WorkflowError(_("材料类型无效。"), code="bad_kind")
    try:
        clean = clean_upload(data, images_only=kind in IMAGE_ONLY)
    except UploadRejected as exc:
        raise WorkflowError(exc.message, code="bad_upload") from None
    name = store_private(clean, f"materials/{application.pk}")
    material = Material.objects.create(
        application=application, kind=kind, storage_name=name, original_name=_safe_name(original_name),
        content_type=clean.content_type, size=len(clean.content), sha256=clean.sha256, uploaded_at=now,
    )
    log_action("applications.material.uploaded", now=now, actor=actor, target=application,
               details={"kind": kind, "sha256": clean.sha256})
    return material


def _safe_name(name: str) -> str:
    """Return a display name with no path and no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:100] or "file"


@transaction.atomic
def remove_material(*, actor, material: Material, now: datetime) -> None:
    application = material.application
    _require_owner(actor, application)
    if application.status not in EDITABLE and application.status != ApplicationStatus.SUPPLEMENT:
        raise WorkflowError(_("当前状态下不能删除材料。"), code="not_editable")
    material.delete()
    log_action("applications.material.removed", now=now, actor=actor, target=application, details={"kind": material.kind})


def missing_for(application: Application) -> list[str]:
    present = set(application.materials.values_list("kind", flat=True))
    return missing_materials(application.type, application.change_kind, present)


@transaction.atomic
def submit_application(*, actor, application: Application, now: datetime) -> Application:
    """Send the application to the employer for confirmation; needs a fresh face check of the applicant."""
    person = _require_owner(actor, application)
    if application.status not in EDITABLE:
        raise WorkflowError(_("申请已提交，不能重复提交。"), code="illegal_transition")
    missing = missing_for(application)
    if missing:
        labels = "、".join(str(MaterialKind(kind).label) for kind in missing)
        raise WorkflowError(_("还缺少以下材料：%(materials)s。") % {"materials": labels}, code="missing_materials")
    try:
        check = consume_face_check(person, FacePurpose.SUBMIT, now=now, used_for=application.reference)
    except FaceCheckRequired as exc:
        raise WorkflowError(exc.message, code="face_check_required") from None
    return _transition(application, Action.SUBMIT, actor=actor, now=now, details={"face_check": check.result_id[:8]})


@transaction.atomic
def withdraw_application(*, actor, application: Application, now: datetime, reason: str = "") -> Application:
    _require_owner(actor, application)
    return _transition(application, Action.WITHDRAW, actor=actor, now=now, reason=reason)


# --- the employer ------------------------------------------------------------------------------

@transaction.atomic
def return_by_employer(*, actor, application: Application, reason: str, now: datetime) -> Application:
    """Send the application back to the applicant with the reason, for editing."""
    _require_confirming_operator(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("退回时必须填写原因。"), code="reason_required")
    return _transition(application, Action.RETURN, actor=actor, now=now, reason=reason)


@transaction.atomic
def confirm_by_employer(*, actor, application: Application, now: datetime) -> Application:
    """Confirm the application; a cancellation completes at once, anything else is reported and compared."""
    _require_confirming_operator(actor, application)
    if application.type == ApplicationType.CANCELLATION:
        _transition(application, Action.COMPLETE_CANCELLATION, actor=actor, now=now, decided_at=now, decided_by=actor)
        cancel_specialties(application=application, actor=actor, now=now)
        return application
    _transition(application, Action.CONFIRM, actor=actor, now=now, submitted_at=now)
    return run_comparison(application=application, now=now)


def gather_facts(application: Application, today: date) -> rules.Facts:
    """Collect from the database what the comparison rules need about one application."""
    person = application.person
    registration = active_registration(person)
    registered = tuple(
        rules.RegisteredSpecialty(s.specialty, s.valid_from, s.valid_to)
        for s in (registration.active_specialties() if registration else [])
    )
    qualifications = tuple(
        rules.QualificationFact(q.management_number, q.name, q.id_number, q.specialty, q.issued_on)
        for q in Qualification.objects.filter(id_number=person.id_number)
    )
    employer = application.employer
    return rules.Facts(
        today=today,
        application_type=application.type,
        change_kind=application.change_kind,
        person_name=person.name,
        person_id_number=person.id_number,
        birth_date=person.birth_date,
        specialties=tuple(application.specialties),
        qualifications=qualifications,
        employer_authenticated=employer.is_authenticated_employer,
        employer_active=employer.is_active,
        employer_meets_requirements=employer.meets_registering_requirements,
        has_active_registration=registration is not None,
        registered_employer_id=registration.employer_id if registration else None,
        registered_specialties=registered,
        target_employer_id=employer.pk,
        other_open_applications=Application.objects.filter(person=person, status__in=OPEN_STATUSES)
        .exclude(pk=application.pk).count(),
        education_completed=tuple(
            ContinuingEducation.objects.filter(id_number=person.id_number).values_list("specialty", "completed_on")
        ),
        sanctions=tuple(
            rules.SanctionFact(s.kind, s.decided_on, s.completed_on)
            for s in Sanction.objects.filter(id_number=person.id_number)
        ),
        project_locked=ProjectLock.objects.filter(person=person, active=True).exists(),
    )


def comparison_parameters() -> rules.Parameters:
    return rules.Parameters(
        renewal_opens_days=settings.RENEWAL_WINDOW_OPENS_DAYS,
        renewal_closes_days=settings.RENEWAL_WINDOW_CLOSES_DAYS,
    )


def run_comparison(*, application: Application, now: datetime) -> Application:
    """Compare the reported application with the registries: not accepted with every reason, or scheduled."""
    today = _local(now)
    result = rules.compare(gather_facts(application, today), comparison_parameters())
    findings = [f.as_dict() for f in result.findings]
    if not result.passed:
        reasons = [f.message for f in result.failures]
        return _transition(
            application, Action.REJECT_COMPARISON, actor=None, now=now, reason="；".join(reasons),
            comparison=findings, decision_reasons=reasons, decided_at=now,
        )
    accept_on = deadlines.acceptance_day(today)
    Application.objects.filter(pk=application.pk).update(comparison=findings, accept_on=accept_on)
    application.comparison, application.accept_on = findings, accept_on
    ApplicationTransition.objects.create(
        application=application, at=now, from_status=application.status, to_status=application.status,
        action="compared", details={"accept_on": accept_on.isoformat()},
    )
    if accept_on <= today:  # only when a deployment accepts on the day of submission (ACCEPT_ON_WORKDAY=0)
        accept_application(application=application, now=now)
    return application


# --- acceptance --------------------------------------------------------------------------------

def accept_due_applications(*, now: datetime) -> int:
    """Accept every compared application whose acceptance day has come; safe to run any number of times."""
    today = _local(now)
    accepted = 0
    due = Application.objects.filter(status=ApplicationStatus.PENDING_ACCEPTANCE, accept_on__lte=today)
    for pk in due.values_list("pk", flat=True).order_by("accept_on", "pk"):
        with transaction.atomic():
            application = Application.objects.select_related("person").get(pk=pk)
            try:
                accept_application(application=application, now=now)
            except Conflict:
                continue  # another sweep accepted it first
            accepted += 1
    return accepted


def accept_application(*, application: Application, now: datetime) -> Application:
    """Accept one application with a receipt number; the review clock starts on the acceptance day."""
    today = _local(now)
    if application.accept_on and application.accept_on > today:
        raise WorkflowError(_("尚未到受理日期。"), code="too_early")
    year = today.year
    receipt = f"SL{year}{next_number(f'receipt:{year}'):06d}"
    due_on = deadlines.review_due(today, application.type)
    return _transition(
        application, Action.ACCEPT, actor=None, now=now, accepted_at=now, receipt_number=receipt, due_on=due_on,
        details={"receipt": receipt, "due_on": due_on.isoformat()},
    )


# --- the reviewer ------------------------------------------------------------------------------

@transaction.atomic
def request_supplement(*, actor, application: Application, reason: str, now: datetime) -> Application:
    """Ask for supplementary material; the review clock stops with the working days it has left."""
    _require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请写明需要补正的材料。"), code="reason_required")
    left = deadlines.workdays_left(_local(now), application.due_on) if application.due_on else 0
    return _transition(application, Action.REQUEST_SUPPLEMENT, actor=actor, now=now, reason=reason,
                       paused_workdays_left=left, details={"workdays_left": left})


@transaction.atomic
def resubmit_supplement(*, actor, application: Application, now: datetime, note: str = "") -> Application:
    """Hand in the supplementary material; the clock restarts with the days it had left."""
    _require_owner(actor, application)
    left = application.paused_workdays_left or 0
    due_on = deadlines.resume_due(_local(now), left)
    return _transition(application, Action.RESUBMIT_SUPPLEMENT, actor=actor, now=now, reason=note,
                       due_on=due_on, paused_workdays_left=None, details={"due_on": due_on.isoformat()})


@transaction.atomic
def refuse_application(*, actor, application: Application, reasons: list[str], now: datetime) -> Application:
    """Refuse registration with the reasons, each a sentence the applicant reads."""
    _require_reviewer(actor)
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise WorkflowError(_("不予注册时必须写明理由。"), code="reason_required")
    return _transition(application, Action.REFUSE, actor=actor, now=now, reason="；".join(reasons),
                       decision_reasons=reasons, decided_at=now, decided_by=actor)


@transaction.atomic
def approve_application(*, actor, application: Application, now: datetime) -> Application:
    """Approve the application and update the registration in the same transaction."""
    _require_reviewer(actor)
    _transition(application, Action.APPROVE, actor=actor, now=now, decided_at=now, decided_by=actor)
    registration = _apply_approval(application, actor=actor, now=now)
    if application.registration_id != registration.pk:
        Application.objects.filter(pk=application.pk).update(registration=registration)
        application.registration = registration
    registration_changed.send(sender=Registration, registration=registration, application=application,
                              actor=actor, now=now, change="approved")
    return application


def _new_registration_number(person: Person, application: Application, today: date) -> str:
    years = [q.year_obtained for q in Qualification.objects.filter(id_number=person.id_number,
                                                                      specialty__in=application.specialties)]
    qualification_year = min(years) if years else today.year
    serial = next_number(f"registration:{today.year}")
    return format_registration_number(qualification_year=qualification_year, registration_year=today.year, serial=serial)


def _qualification_for(person: Person, code: str) -> Qualification | None:
    return Qualification.objects.filter(id_number=person.id_number, specialty=code).first()


def _apply_approval(application: Application, *, actor, now: datetime) -> Registration:
    person = application.person
    today = _local(now)
    kind = application.type
    if kind in {ApplicationType.INITIAL, ApplicationType.REREGISTRATION}:
        previous = None
        if kind == ApplicationType.REREGISTRATION:
            previous = (Registration.objects.select_for_update().filter(person=person, status=RegistrationStatus.CANCELLED)
                        .order_by("-updated_at").first())
        if previous is not None:
            registration = previous
            registration.employer = application.employer
            registration.status = RegistrationStatus.ACTIVE
            registration.save(update_fields=["employer", "status", "updated_at"])
            action, from_status = "reregistered", RegistrationStatus.CANCELLED
        else:
            registration = Registration.objects.create(
                person=person, number=_new_registration_number(person, application, today),
                employer=application.employer, registered_on=today,
            )
            action, from_status = "registered", ""
        for code in application.specialties:
            RegistrationSpecialty.objects.update_or_create(
                registration=registration, specialty=code,
                defaults={"valid_from": today, "valid_to": rules.validity_end(today, person.birth_date),
                          "status": RegistrationStatus.ACTIVE, "qualification": _qualification_for(person, code)},
            )
        _log_registration(registration, action=action, actor=actor, now=now, from_status=from_status,
                          application=application)
        return registration

    registration = Registration.objects.select_for_update().get(pk=application.registration_id)
    if registration.status != RegistrationStatus.ACTIVE:
        raise Conflict(_("该注册已不再有效，不能批准。"))
    if kind == ApplicationType.RENEWAL:
        for spec in registration.specialties.filter(specialty__in=application.specialties, status=RegistrationStatus.ACTIVE):
            start = max(spec.valid_to + timedelta(days=1), today)
            spec.valid_from, spec.valid_to = start, rules.validity_end(start, person.birth_date)
            spec.save(update_fields=["valid_from", "valid_to"])
        action = "renewed"
    elif kind == ApplicationType.ADD_SPECIALTY:
        for code in application.specialties:
            RegistrationSpecialty.objects.update_or_create(
                registration=registration, specialty=code,
                defaults={"valid_from": today, "valid_to": rules.validity_end(today, person.birth_date),
                          "status": RegistrationStatus.ACTIVE, "qualification": _qualification_for(person, code)},
            )
        action = "specialty_added"
    elif kind == ApplicationType.CHANGE:
        if application.change_kind == ChangeKind.EMPLOYER:
            registration.employer = application.employer
            registration.save(update_fields=["employer", "updated_at"])
        elif application.change_kind == ChangeKind.PERSONAL:
            updates = {k: v for k, v in application.details.items() if k in PERSONAL_FIELDS and v}
            if updates:
                Person.objects.filter(pk=person.pk).update(**updates)
        elif application.change_kind == ChangeKind.ENTERPRISE:
            new_name = (application.details.get("enterprise_name") or "").strip()
            if new_name:
                Enterprise.objects.filter(pk=registration.employer_id).update(name=new_name)
        action = f"changed_{application.change_kind}"
    else:
        raise WorkflowError(_("该类型的申请不需要审批。"), code="illegal_transition")
    _log_registration(registration, action=action, actor=actor, now=now, from_status=registration.status,
                      application=application)
    return registration


def cancel_specialties(*, application: Application, actor, now: datetime) -> Registration:
    """Cancel the specialties of a confirmed cancellation; cancelling all cancels the registration."""
    registration = Registration.objects.select_for_update().get(pk=application.registration_id)
    if registration.status != RegistrationStatus.ACTIVE:
        raise Conflict(_("该注册已注销。"))
    registration.specialties.filter(specialty__in=application.specialties).update(status=RegistrationStatus.CANCELLED)
    remaining = registration.specialties.filter(status=RegistrationStatus.ACTIVE).count()
    from_status = registration.status
    if remaining == 0:
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
    _log_registration(registration, action="cancelled" if remaining == 0 else "specialties_cancelled", actor=actor,
                      now=now, from_status=from_status, application=application,
                      details={"specialties": application.specialties})
    # The seam where certificates are invalidated or re-issued in this same transaction.
    registration_changed.send(sender=Registration, registration=registration, application=application,
                              actor=actor, now=now, change="cancelled" if remaining == 0 else "specialties_cancelled")
    return registration


# --- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineStep:
    at: datetime
    label: str
    actor: str
    reason: str


ACTION_LABELS = {
    "create": _("创建申请"),
    "submit": _("申请人提交，等待聘用企业确认"),
    "return": _("聘用企业退回修改"),
    "confirm": _("聘用企业确认，已上报市住房城乡建委"),
    "compared": _("数据比对通过，等待受理"),
    "not_accept": _("数据比对未通过，不予受理"),
    "accept": _("已受理，出具受理凭证"),
    "request_supplement": _("审批人员要求补正材料（审查期限暂停）"),
    "resubmit_supplement": _("申请人已补正材料（审查期限恢复）"),
    "approve": _("审批通过，准予注册"),
    "refuse": _("不予注册"),
    "complete_cancellation": _("聘用企业确认，注销完成"),
    "withdraw": _("申请人撤回申请"),
}


def timeline(application: Application) -> list[TimelineStep]:
    """Return the application's history as the steps people read."""
    steps = []
    for t in application.transitions.select_related("actor").all():
        who = ""
        if t.actor is not None:
            who = {Role.APPLICANT: _("申请人"), Role.ENTERPRISE: _("聘用企业"), Role.REVIEWER: _("审批人员")}.get(
                t.actor.role, _("工作人员"))
        elif t.action in {"compared", "not_accept", "accept"}:
            who = _("系统")
        steps.append(TimelineStep(t.at, str(ACTION_LABELS.get(t.action, t.action)), str(who), t.reason))
    return steps


def required_for(application: Application) -> list[tuple[str, str]]:
    """Return (kind, label) of the materials this application needs."""
    return [(kind, str(MaterialKind(kind).label)) for kind in required_materials(application.type, application.change_kind)]
