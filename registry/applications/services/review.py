"""The reviewer's stage: ask for supplementary material (the applicant hands it in), refuse or approve."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from registry.applications import deadlines
from registry.applications.errors import WorkflowError
from registry.applications.models import Application, ApplicationStatus, Registration
from registry.applications.services.common import local_day, require_owner, require_reviewer, transition
from registry.applications.services.decisions import issue_refusal_decision
from registry.applications.services.registrations import apply_approval
from registry.applications.signals import registration_changed
from registry.applications.workflow import Action
from registry.audit.log import log_action
from registry.people.face import FaceCheckRequired, consume_face_check
from registry.people.models import FacePurpose


@transaction.atomic
def request_supplement(*, actor, application: Application, reason: str, now: datetime) -> Application:
    """Ask for supplementary material; the review clock stops with the working days it has left."""
    require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请写明需要补正的材料。"), code="reason_required")
    left = deadlines.workdays_left(local_day(now), application.due_on) if application.due_on else 0
    return transition(application, Action.REQUEST_SUPPLEMENT, actor=actor, now=now, reason=reason,
                       paused_workdays_left=left, details={"workdays_left": left})


@transaction.atomic
def resubmit_supplement(*, actor, application: Application, now: datetime, note: str = "") -> Application:
    """Hand in the supplementary material; the clock restarts with the days it had left.

    Like every submission it needs a fresh face check of the applicant (附件二 一).
    """
    person = require_owner(actor, application)
    face = {}
    if application.status == ApplicationStatus.SUPPLEMENT:  # otherwise transition() names the illegal move
        try:
            check = consume_face_check(person, FacePurpose.SUBMIT, now=now, used_for=application.reference)
        except FaceCheckRequired as exc:
            raise WorkflowError(_("提交补正前须完成人脸识别：%(reason)s") % {"reason": exc.message},
                                code="face_check_required") from None
        face = {"face_check": check.result_id[:8]}
    left = application.paused_workdays_left or 0
    due_on = deadlines.resume_due(local_day(now), left)
    return transition(application, Action.RESUBMIT_SUPPLEMENT, actor=actor, now=now, reason=note,
                       due_on=due_on, paused_workdays_left=None,
                       details={"due_on": due_on.isoformat(), **face})


@transaction.atomic
def refuse_application(*, actor, application: Application, reasons: list[str], now: datetime) -> Application:
    """Refuse registration with the reasons, each a sentence the applicant reads."""
    require_reviewer(actor)
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise WorkflowError(_("不予注册时必须写明理由。"), code="reason_required")
    transition(application, Action.REFUSE, actor=actor, now=now, reason="；".join(reasons),
               decision_reasons=reasons, decided_at=now, decided_by=actor)
    decision = issue_refusal_decision(application, reasons=reasons, now=now)
    log_action("applications.refusal_decision.issued", now=now, actor=actor, target=application,
               details={"reference": application.reference, "document_number": decision.document_number})
    return application


@transaction.atomic
def approve_application(*, actor, application: Application, now: datetime) -> Application:
    """Approve the application and update the registration in the same transaction."""
    require_reviewer(actor)
    transition(application, Action.APPROVE, actor=actor, now=now, decided_at=now, decided_by=actor)
    registration = apply_approval(application, actor=actor, now=now)
    if application.registration_id != registration.pk:
        Application.objects.filter(pk=application.pk).update(registration=registration)
        application.registration = registration
    registration_changed.send(sender=Registration, registration=registration, application=application,
                              actor=actor, now=now, change="approved")
    return application
