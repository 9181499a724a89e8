"""Personas of the workflow tests: one per role, two employers, an outsider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from registry.applications import services
from registry.applications.materials import required_materials
from registry.applications.models import (
    Application,
    ApplicationType,
    ContinuingEducation,
    MaterialKind,
    Qualification,
    Registration,
    RegistrationSpecialty,
    Specialty,
)
from registry.people.face import record_face_check
from registry.people.models import (
    Enterprise,
    EnterpriseAuthState,
    EnterpriseOperator,
    FacePurpose,
    Person,
    Role,
    User,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """Return an aware datetime in Asia/Shanghai."""
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def png_bytes(size=(120, 160), color=(200, 200, 200)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    """Return a real one-page PDF (uploads are opened by a PDF parser)."""
    import io

    import pikepdf

    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return out.getvalue()


PDF_BYTES = pdf_bytes()


@dataclass
class World:
    enterprise_a: Enterprise
    enterprise_b: Enterprise
    enterprise_unauth: Enterprise
    applicant: User          # 张三: qualified in 建筑工程, not registered
    registered: User         # 李四: registered in 建筑工程 with enterprise A
    outsider: User           # another applicant
    operator_a: User
    operator_a_readonly: User
    operator_b: User
    reviewer: User
    reviewer2: User


def _user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(username=username, password=None, role=role, **extra)  # no hashing: tests force_login


def _person(user: User, name: str, id_number: str, birth: date, sex: str = "M") -> Person:
    return Person.objects.create(user=user, name=name, id_number=id_number, sex=sex, birth_date=birth)


@pytest.fixture
def world(db) -> World:
    a = Enterprise.objects.create(credit_code="91500103MA5U000001", name="重庆山城建设工程有限公司", district="500103",
                                  auth_state=EnterpriseAuthState.AUTHENTICATED)
    b = Enterprise.objects.create(credit_code="91500112MA5U000002", name="重庆两江路桥建设有限公司", district="500112",
                                  auth_state=EnterpriseAuthState.AUTHENTICATED)
    c = Enterprise.objects.create(credit_code="91500106MA5U000003", name="重庆未认证建筑有限公司", district="500106")
    applicant = _user("zhangsan", Role.APPLICANT)
    zhang = _person(applicant, "张三", "500103199001011234", date(1990, 1, 1))
    Qualification.objects.create(management_number="QA2024000001", name="张三", id_number=zhang.id_number,
                                 specialty=Specialty.BUILDING, year_obtained=2024, issued_on=date(2024, 10, 1))
    registered = _user("lisi", Role.APPLICANT)
    li = _person(registered, "李四", "500112198505052345", date(1985, 5, 5), sex="F")
    Qualification.objects.create(management_number="QA2020000002", name="李四", id_number=li.id_number,
                                 specialty=Specialty.BUILDING, year_obtained=2020, issued_on=date(2020, 10, 1))
    Qualification.objects.create(management_number="QA2025000003", name="李四", id_number=li.id_number,
                                 specialty=Specialty.MUNICIPAL, year_obtained=2025, issued_on=date(2025, 10, 1))
    ContinuingEducation.objects.create(id_number=li.id_number, specialty=Specialty.BUILDING, completed_on=date(2026, 6, 1))
    registration = Registration.objects.create(person=li, number="渝2502020202300001", employer=a,
                                               registered_on=date(2023, 12, 1))
    RegistrationSpecialty.objects.create(registration=registration, specialty=Specialty.BUILDING,
                                         valid_from=date(2023, 12, 1), valid_to=date(2026, 12, 31))
    outsider = _user("wangwu", Role.APPLICANT)
    _person(outsider, "王五", "500101199202023456", date(1992, 2, 2))
    operator_a = _user("corp_a", Role.ENTERPRISE)
    EnterpriseOperator.objects.create(user=operator_a, enterprise=a, can_confirm=True)
    operator_a_readonly = _user("corp_a_clerk", Role.ENTERPRISE)
    EnterpriseOperator.objects.create(user=operator_a_readonly, enterprise=a, can_confirm=False)
    operator_b = _user("corp_b", Role.ENTERPRISE)
    EnterpriseOperator.objects.create(user=operator_b, enterprise=b, can_confirm=True)
    return World(a, b, c, applicant, registered, outsider, operator_a, operator_a_readonly, operator_b,
                 _user("reviewer", Role.REVIEWER), _user("reviewer2", Role.REVIEWER))


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
