"""Acceptance: compare a reported application with the registries, then accept it on its working day."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from registry.applications import deadlines, rules
from registry.applications.errors import Conflict, WorkflowError
from registry.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationTransition,
    ContinuingEducation,
    ProjectLock,
    Qualification,
    Sanction,
)
from registry.applications.services.common import active_registration, local_day, next_number, transition
from registry.applications.workflow import Action


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
    today = local_day(now)
    parameters = comparison_parameters()
    result = rules.compare(gather_facts(application, today), parameters)
    findings = [f.as_dict() for f in result.findings]
    if not result.passed:
        # The decision's reasons are the decision as made: worded once, kept as the applicant read them.
        reasons = [rules.describe(f.code, f.params, parameters) for f in result.failures]
        return transition(
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


def accept_due_applications(*, now: datetime) -> int:
    """Accept every compared application whose acceptance day has come; safe to run any number of times."""
    today = local_day(now)
    accepted = 0
    due = Application.objects.filter(status=ApplicationStatus.PENDING_ACCEPTANCE, accept_on__lte=today)
    for pk in due.values_list("pk", flat=True).order_by("accept_on", "pk"):
        application = Application.objects.select_related("person").get(pk=pk)
        try:
            accept_application(application=application, now=now)
        except Conflict:
            continue  # another sweep accepted it first
        accepted += 1
    return accepted


@transaction.atomic
def accept_application(*, application: Application, now: datetime) -> Application:
    """Accept one application with a receipt number; the review clock starts on the acceptance day."""
    today = local_day(now)
    if application.accept_on and application.accept_on > today:
        raise WorkflowError(_("尚未到受理日期。"), code="too_early")
    year = today.year
    receipt = f"SL{year}{next_number(f'receipt:{year}'):06d}"
    due_on = deadlines.review_due(today, application.type)
    return transition(
        application, Action.ACCEPT, actor=None, now=now, accepted_at=now, receipt_number=receipt, due_on=due_on,
        details={"receipt": receipt, "due_on": due_on.isoformat()},
    )
