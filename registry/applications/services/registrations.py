"""Registrations: what an approved application does to the person's registration, one function per type.

``apply_approval`` runs inside the reviewer's approval transaction and dispatches on the application
type; ``cancel_specialties`` runs inside the employer's confirmation of a cancellation. Each writes the
registration's transition log; the registration_changed signal is sent by the caller's use case (or
here, for a cancellation) inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from registry.applications import rules
from registry.applications.errors import Conflict, WorkflowError
from registry.applications.models import (
    Application,
    ApplicationType,
    ChangeKind,
    Qualification,
    Registration,
    RegistrationSpecialty,
    RegistrationStatus,
)
from registry.applications.services.common import PERSONAL_FIELDS, local_day, log_registration, next_number
from registry.applications.signals import registration_changed
from registry.identifiers import format_registration_number
from registry.people.models import Enterprise, Person


def _new_registration_number(person: Person, application: Application, today: date) -> str:
    years = [q.year_obtained for q in Qualification.objects.filter(id_number=person.id_number,
                                                                      specialty__in=application.specialties)]
    qualification_year = min(years) if years else today.year
    serial = next_number(f"registration:{today.year}")
    return format_registration_number(qualification_year=qualification_year, registration_year=today.year, serial=serial)


def _qualification_for(person: Person, code: str) -> Qualification | None:
    return Qualification.objects.filter(id_number=person.id_number, specialty=code).first()


def _register_specialties(registration: Registration, application: Application, today: date) -> None:
    """Make the application's specialties active on the registration, valid from today."""
    person = application.person
    for code in application.specialties:
        RegistrationSpecialty.objects.update_or_create(
            registration=registration, specialty=code,
            defaults={"valid_from": today, "valid_to": rules.validity_end(today, person.birth_date),
                      "status": RegistrationStatus.ACTIVE, "qualification": _qualification_for(person, code)},
        )


def _active_registration_of(application: Application) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=application.registration_id)
    if registration.status != RegistrationStatus.ACTIVE:
        raise Conflict(_("该注册已不再有效，不能批准。"))
    return registration


def approve_initial(application: Application, *, actor, now: datetime) -> Registration:
    """Create the registration of an initial registration, or revive the cancelled one of a re-registration."""
    person = application.person
    today = local_day(now)
    previous = None
    if application.type == ApplicationType.REREGISTRATION:
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
    _register_specialties(registration, application, today)
    log_registration(registration, action=action, actor=actor, now=now, from_status=from_status,
                     application=application)
    return registration


def approve_renewal(application: Application, *, actor, now: datetime) -> Registration:
    """Extend each renewed specialty by a validity starting the day after it ends (or today, if later)."""
    registration = _active_registration_of(application)
    today, birth_date = local_day(now), application.person.birth_date
    for spec in registration.specialties.filter(specialty__in=application.specialties, status=RegistrationStatus.ACTIVE):
        start = max(spec.valid_to + timedelta(days=1), today)
        spec.valid_from, spec.valid_to = start, rules.validity_end(start, birth_date)
        spec.save(update_fields=["valid_from", "valid_to"])
    log_registration(registration, action="renewed", actor=actor, now=now, from_status=registration.status,
                     application=application)
    return registration


def approve_add_specialty(application: Application, *, actor, now: datetime) -> Registration:
    """Add the new specialties to the registration, each valid from today."""
    registration = _active_registration_of(application)
    _register_specialties(registration, application, local_day(now))
    log_registration(registration, action="specialty_added", actor=actor, now=now, from_status=registration.status,
                     application=application)
    return registration


def approve_change(application: Application, *, actor, now: datetime) -> Registration:
    """Apply a change of employer, of personal data or of the enterprise's data."""
    registration = _active_registration_of(application)
    details = {}
    if application.change_kind == ChangeKind.EMPLOYER:
        # The former employer is kept in the log: its staff page lists the person as moved away.
        details = {"from_employer_id": registration.employer_id, "to_employer_id": application.employer_id}
        registration.employer = application.employer
        registration.save(update_fields=["employer", "updated_at"])
    elif application.change_kind == ChangeKind.PERSONAL:
        updates = {k: v for k, v in application.details.items() if k in PERSONAL_FIELDS and v}
        if updates:
            Person.objects.filter(pk=application.person_id).update(**updates)
    elif application.change_kind == ChangeKind.ENTERPRISE:
        new_name = (application.details.get("enterprise_name") or "").strip()
        if new_name:
            Enterprise.objects.filter(pk=registration.employer_id).update(name=new_name)
    log_registration(registration, action=f"changed_{application.change_kind}", actor=actor, now=now,
                     from_status=registration.status, application=application, details=details)
    return registration


APPROVALS: dict[str, Callable[..., Registration]] = {
    ApplicationType.INITIAL: approve_initial,
    ApplicationType.REREGISTRATION: approve_initial,
    ApplicationType.RENEWAL: approve_renewal,
    ApplicationType.ADD_SPECIALTY: approve_add_specialty,
    ApplicationType.CHANGE: approve_change,
}


def apply_approval(application: Application, *, actor, now: datetime) -> Registration:
    """Update the registration as the approved application's type says; call inside the approval transaction."""
    approve = APPROVALS.get(application.type)
    if approve is None:
        raise WorkflowError(_("该类型的申请不需要审批。"), code="illegal_transition")
    return approve(application, actor=actor, now=now)


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
    log_registration(registration, action="cancelled" if remaining == 0 else "specialties_cancelled", actor=actor,
                     now=now, from_status=from_status, application=application,
                     details={"specialties": application.specialties})
    # The seam where certificates are invalidated or re-issued in this same transaction.
    registration_changed.send(sender=Registration, registration=registration, application=application,
                              actor=actor, now=now, change="cancelled" if remaining == 0 else "specialties_cancelled")
    return registration
