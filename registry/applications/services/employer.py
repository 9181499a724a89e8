"""The employer's stage: return an application to the applicant, or confirm it (a cancellation completes)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from registry.applications.errors import WorkflowError
from registry.applications.models import Application, ApplicationType
from registry.applications.services.acceptance import run_comparison
from registry.applications.services.common import require_confirming_operator, transition
from registry.applications.services.registrations import cancel_specialties
from registry.applications.workflow import Action


@transaction.atomic
def return_by_employer(*, actor, application: Application, reason: str, now: datetime) -> Application:
    """Send the application back to the applicant with the reason, for editing."""
    require_confirming_operator(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("退回时必须填写原因。"), code="reason_required")
    return transition(application, Action.RETURN, actor=actor, now=now, reason=reason)


@transaction.atomic
def confirm_by_employer(*, actor, application: Application, now: datetime) -> Application:
    """Confirm the application; a cancellation completes at once, anything else is reported and compared."""
    require_confirming_operator(actor, application)
    if application.type == ApplicationType.CANCELLATION:
        transition(application, Action.COMPLETE_CANCELLATION, actor=actor, now=now, decided_at=now, decided_by=actor)
        cancel_specialties(application=application, actor=actor, now=now)
        return application
    transition(application, Action.CONFIRM, actor=actor, now=now, submitted_at=now)
    return run_comparison(application=application, now=now)
