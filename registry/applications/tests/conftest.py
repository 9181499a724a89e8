"""Helpers of the workflow tests over the ``world`` cast of ``registry.testing`` (fixture in registry/conftest.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from registry.applications import services
from registry.applications.materials import required_materials
from registry.applications.models import Application, ApplicationType, MaterialKind, Specialty
from registry.people.face import record_face_check
from registry.people.models import FacePurpose, User
from registry.testing import PDF_BYTES, SHANGHAI, World, at, png_bytes

__all__ = ["PDF_BYTES", "at", "png_bytes", "draft_initial", "face", "reported", "submitted_initial", "under_review",
           "upload_all"]

def face(user: User, now: datetime, purpose: str = FacePurpose.SUBMIT):
    """Record a passed face check of the user's person a minute before `now`."""
    return record_face_check(user.person, purpose, now=now - timedelta(minutes=1))


def upload_all(user: User, application, now: datetime) -> None:
    """Upload every material the application needs."""
    for kind in required_materials(application.type, application.change_kind):
        data = png_bytes() if kind in {MaterialKind.PHOTO, MaterialKind.SIGNATURE} else PDF_BYTES
        services.add_material(actor=user, application=application, kind=kind, data=data,
                              original_name=f"{kind}.pdf", now=now)


def reported(user: User, operator: User, now: datetime, **create) -> Application:
    """Return an application created, completed, face-checked, submitted by `user` and confirmed by `operator`."""
    application = services.create_application(actor=user, now=now, **create)
    upload_all(user, application, now)
    face(user, now)
    services.submit_application(actor=user, application=application, now=now)
    services.confirm_by_employer(actor=operator, application=application, now=now)
    application.refresh_from_db()
    return application


def draft_initial(world: World, now: datetime, **kwargs):
    application = services.create_application(
        actor=world.applicant, application_type=ApplicationType.INITIAL, specialties=[Specialty.BUILDING],
        employer=kwargs.pop("employer", world.enterprise_a), now=now, **kwargs,
    )
    upload_all(world.applicant, application, now)
    return application


def submitted_initial(world: World, now: datetime, **kwargs):
    """Return an initial application submitted to the employer (awaiting confirmation)."""
    application = draft_initial(world, now, **kwargs)
    face(world.applicant, now)
    return services.submit_application(actor=world.applicant, application=application, now=now)


def under_review(world: World, confirmed_at: datetime, **kwargs):
    """Return an initial application confirmed at confirmed_at and accepted on its day."""
    application = submitted_initial(world, confirmed_at, **kwargs)
    services.confirm_by_employer(actor=world.operator_a, application=application, now=confirmed_at)
    application.refresh_from_db()
    accept_at = datetime.combine(application.accept_on, datetime.min.time(), tzinfo=SHANGHAI).replace(hour=1)
    services.accept_due_applications(now=accept_at)
    application.refresh_from_db()
    return application
