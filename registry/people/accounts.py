"""Use cases of accounts and person records that staff and users start from their pages."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from registry.audit.log import log_action
from registry.people.models import Person, User


@transaction.atomic
def change_password(*, user: User, new_password: str, now: datetime, ip: str | None = None) -> User:
    """Set the user's new password (already validated), clear the must-change flag and log it."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    log_action("people.password.changed", actor=user, target=user, now=now, ip=ip)
    return user


def find_person(*, actor: User, id_number: str, name: str, now: datetime, ip: str | None = None) -> Person | None:
    """Return the person with this ID number and exactly this name, or None (a miss is logged)."""
    person = Person.objects.filter(id_number=id_number).first()
    if person is None or person.name != name.strip():
        log_action("people.person.lookup_missed", actor=actor, now=now, ip=ip)
        return None
    return person
