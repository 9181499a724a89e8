"""What every stage's use cases share: actors' checks, the compare-and-set transition and the logs."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.applications.errors import Conflict, NotAllowed, WorkflowError
from registry.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationTransition,
    ApplicationType,
    Counter,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
    Specialty,
)
from registry.applications.workflow import Action, IllegalTransition, next_status
from registry.audit.log import log_action
from registry.people.models import EnterpriseOperator, Person, Role

PERSONAL_FIELDS = ("name", "mobile", "email")


NEEDS_REGISTRATION = {
    ApplicationType.RENEWAL, ApplicationType.CHANGE, ApplicationType.ADD_SPECIALTY, ApplicationType.CANCELLATION,
}


def next_number(name: str) -> int:
    """Return the next value of a named counter; call inside a transaction."""
    Counter.objects.get_or_create(name=name)
    counter = Counter.objects.select_for_update().get(name=name)
    Counter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
    return counter.value + 1


def local_day(now: datetime) -> date:
    return timezone.localdate(now)


def applicant_person(actor) -> Person:
    person = getattr(actor, "person", None) if actor is not None else None
    if person is None or actor.role != Role.APPLICANT:
        raise NotAllowed(_("只有实名认证的申请人本人可以办理。"))
    return person


def require_owner(actor, application: Application) -> Person:
    person = applicant_person(actor)
    if application.person_id != person.pk:
        raise NotAllowed(_("只能办理本人的申请。"))
    return person


def require_confirming_operator(actor, application: Application) -> None:
    if actor is None or actor.role != Role.ENTERPRISE:
        raise NotAllowed(_("只有聘用企业的经办人可以确认申请。"))
    link = EnterpriseOperator.objects.filter(user=actor, enterprise_id=application.employer_id).first()
    if link is None:
        raise NotAllowed(_("只有聘用企业的经办人可以确认申请。"))
    if not link.can_confirm:
        raise NotAllowed(_("本单位未授权您确认注册申请，请联系单位管理员。"))
    if not application.employer.is_authenticated_employer:
        raise NotAllowed(_("本单位尚未完成身份认证，不能确认申请。"))


def require_reviewer(actor) -> None:
    if actor is None or actor.role != Role.REVIEWER:
        raise NotAllowed(_("只有审批人员可以办理。"))


def transition(
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


def log_registration(registration: Registration, *, action: str, actor, now: datetime, from_status: str,
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


def validate_specialties(codes: list[str]) -> list[str]:
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
