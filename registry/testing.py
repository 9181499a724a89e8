"""The personas of every test: one module, one cast, identifiers that pass the project's own checks.

Two shapes of the same cast serve the two kinds of tests:

- ``build_world()`` (fixture ``world``): the workflow cast. 张三 is qualified but not registered, 李四 is
  registered with enterprise A, 王五 is an outsider applicant; enterprises A (渝中区) and B (渝北区) are
  authenticated with one confirming operator each (A also has a clerk who may not confirm); a third
  enterprise has not authenticated; two reviewers; district officers of 渝中 and 渝北, service-centre
  staff and an administrator.
- ``build_personas()`` (fixture ``personas``): the identity cast, before enterprise authentication.
  Enterprises A (渝中区) and B (渝北区) are not yet authenticated and their legal persons (渝快办 legal
  accounts) are not yet bound; every staff role signs in with ``PASSWORD`` through the real form.

Every resident ID number and credit code is made with its check character (``registry.identifiers``).
The fixtures live in ``registry/conftest.py``; helpers (``signed_in``, ``hidden_fields``, ``png_bytes``,
``PDF_BYTES``, ``at``) are imported from here.
"""

from __future__ import annotations

import html
import io
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from registry.clock import LOCAL_ZONE
from registry.identifiers import resident_id_check_char, uscc_check_char

PASSWORD = "Persona-Pass-2026"
SHANGHAI = LOCAL_ZONE


# What production needs to start: every variable the DEBUG-off checks require, each a strong value.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,jzs.example.gov.cn",
    "DEMO_MODE": "false",
    "CACHE_URL": "redis://127.0.0.1:6379/3",
    "CERTIFICATE_VERIFICATION_KEY": secrets.token_urlsafe(32),
    "YKB_ISSUER": "https://ykb.example.gov.cn/oidc",
    "YKB_CLIENT_SECRET": secrets.token_urlsafe(30),
    "FACE_PROVIDER_START_URL": "https://face.example.gov.cn/start",
    "FACE_PROVIDER_ISSUER": "cq-face-provider",
    "FACE_PROVIDER_JWKS": "face-provider.jwks",
    "LOCK_DRIVER_URL": "https://lock-driver.example.gov.cn/",
    "NATIONAL_PLATFORM_URL": "https://national.example.gov.cn/api/messages",
    "NATIONAL_PLATFORM_SECRET": secrets.token_urlsafe(30),
    "AUTHORITY_CREDIT_CODE": "11500000MB1234567A",
    "CERTIFICATE_SIGNER": "remote",
    "CERTIFICATE_SIGNER_URL": "https://sign.example.gov.cn/sign",
    "CERTIFICATE_SIGNER_TOKEN": secrets.token_urlsafe(30),
    "CERTIFICATE_SIGNER_CERT_FILE": "signer.pem",
    "CERTIFICATE_SEAL_FILE": "seal.esl",
}
# Prefixes of the settings a production test sets itself (cleared from the inherited environment).
PRODUCTION_PREFIXES = ("YKB_", "FACE_", "LOCK_", "SECURE_", "CSRF_", "DJANGO_", "NATIONAL_", "SENTRY_", "MEDIA_",
                       "LOG_", "GUNICORN_", "CERTIFICATE_", "CACHE_")


def pdf_bytes() -> bytes:
    """Return a real one-page PDF (uploads are opened by a PDF parser)."""
    import pikepdf

    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return out.getvalue()


PDF_BYTES = pdf_bytes()


def id_number(first17: str) -> str:
    """Return a valid resident ID number from its first 17 characters."""
    return first17 + resident_id_check_char(first17)


def credit_code(first17: str) -> str:
    """Return a valid unified social credit code from its first 17 characters."""
    return first17 + uscc_check_char(first17)


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """Return an aware datetime in Asia/Shanghai."""
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def png_bytes(size=(120, 160), color=(200, 200, 200)) -> bytes:
    """Return a small valid PNG image."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def hidden_fields(page: str) -> dict[str, str]:
    """Return the hidden inputs of an HTML page (including the CSRF token)."""
    return {html.unescape(n): html.unescape(v)
            for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}


def signed_in(client, user):
    """Sign the client in through the password form, so the session records the sign-in time."""
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


# The cast's identifiers, valid by construction.
ZHANG_ID = id_number("50010319900101123")
LI_ID = id_number("50011219850505234")
WANG_ID = id_number("50010119920202345")
CREDIT_A = credit_code("91500103MA60001X1")   # 重庆山城建设工程有限公司, 渝中区
CREDIT_B = credit_code("91500112MA60002Y2")   # 重庆两江路桥建设有限公司, 渝北区
CREDIT_UNAUTH = credit_code("91500106MA60003Q3")
CREDIT_B_IDENTITY = credit_code("91500112MA60009K9")  # 重庆渝北宏达建筑工程有限公司, 渝北区 (identity cast)


@dataclass
class World:
    enterprise_a: object
    enterprise_b: object
    enterprise_unauth: object
    applicant: object          # 张三: qualified in 建筑工程, not registered
    registered: object         # 李四: registered in 建筑工程 with enterprise A
    outsider: object           # another applicant
    operator_a: object
    operator_a_readonly: object
    operator_b: object
    reviewer: object
    reviewer2: object
    district_yz: object        # district officer of 渝中区 (enterprise A's district)
    district_yb: object        # district officer of 渝北区 (enterprise B's district)
    service: object
    admin: object


@dataclass
class Personas:
    applicant: object
    person: object
    other_applicant: object
    other_person: object
    legal_a: object            # legal person of enterprise A (渝中区), not yet bound
    enterprise_a: object
    legal_b: object            # legal person of enterprise B (渝北区)
    enterprise_b: object
    reviewer: object
    district_yz: object
    district_yb: object
    service: object
    admin: object
    outsider: object


def make_user(username: str, role: str, *, password: str | None = PASSWORD, **extra):
    """Create an account; with ``password=None`` it has none (tests force_login it)."""
    from registry.people.models import User

    return User.objects.create_user(username=username, password=password, role=role, **extra)


def make_person(user, name: str, number: str, birth: date, sex: str = "M"):
    from registry.people.models import Person

    return Person.objects.create(user=user, name=name, id_number=number, sex=sex, birth_date=birth)


def make_staff(*, password: str | None = PASSWORD) -> dict:
    """Create one account of every staff role: reviewer, both district officers, service centre, admin."""
    from registry.people.models import Role

    return {
        "reviewer": make_user("reviewer", Role.REVIEWER, password=password),
        "district_yz": make_user("district_yz", Role.DISTRICT, password=password, district="500103"),
        "district_yb": make_user("district_yb", Role.DISTRICT, password=password, district="500112"),
        "service": make_user("service", Role.SERVICE_CENTRE, password=password),
        "admin": make_user("admin", Role.ADMIN, password=password, is_staff=True, is_superuser=True),
    }


def make_legal(username: str, enterprise):
    """Create a 渝快办 legal-person account of the enterprise (not yet bound to it)."""
    from registry.people.models import Role, YkbAccountKind, YkbIdentity

    user = make_user(username, Role.ENTERPRISE)
    YkbIdentity.objects.create(user=user, issuer="https://ykb.test", subject=f"sub-{username}",
                               kind=YkbAccountKind.LEGAL, credit_code=enterprise.credit_code,
                               enterprise_name=enterprise.name)
    return user


def build_world() -> World:
    """Create the workflow cast (see the module's docstring)."""
    from registry.applications.models import (
        ContinuingEducation,
        Qualification,
        Registration,
        RegistrationSpecialty,
        Specialty,
    )
    from registry.people.models import Enterprise, EnterpriseAuthState, EnterpriseOperator, Role

    a = Enterprise.objects.create(credit_code=CREDIT_A, name="重庆山城建设工程有限公司", district="500103",
                                  auth_state=EnterpriseAuthState.AUTHENTICATED)
    b = Enterprise.objects.create(credit_code=CREDIT_B, name="重庆两江路桥建设有限公司", district="500112",
                                  auth_state=EnterpriseAuthState.AUTHENTICATED)
    c = Enterprise.objects.create(credit_code=CREDIT_UNAUTH, name="重庆未认证建筑有限公司", district="500106")
    applicant = make_user("zhangsan", Role.APPLICANT, password=None)
    zhang = make_person(applicant, "张三", ZHANG_ID, date(1990, 1, 1))
    Qualification.objects.create(management_number="QA2024000001", name="张三", id_number=zhang.id_number,
                                 specialty=Specialty.BUILDING, year_obtained=2024, issued_on=date(2024, 10, 1))
    registered = make_user("lisi", Role.APPLICANT, password=None)
    li = make_person(registered, "李四", LI_ID, date(1985, 5, 5), sex="F")
    Qualification.objects.create(management_number="QA2020000002", name="李四", id_number=li.id_number,
                                 specialty=Specialty.BUILDING, year_obtained=2020, issued_on=date(2020, 10, 1))
    Qualification.objects.create(management_number="QA2025000003", name="李四", id_number=li.id_number,
                                 specialty=Specialty.MUNICIPAL, year_obtained=2025, issued_on=date(2025, 10, 1))
    ContinuingEducation.objects.create(id_number=li.id_number, specialty=Specialty.BUILDING, completed_on=date(2026, 6, 1))
    registration = Registration.objects.create(person=li, number="渝2502020202300001", employer=a,
                                               registered_on=date(2023, 12, 1))
    RegistrationSpecialty.objects.create(registration=registration, specialty=Specialty.BUILDING,
                                         valid_from=date(2023, 12, 1), valid_to=date(2026, 12, 31))
    outsider = make_user("wangwu", Role.APPLICANT, password=None)
    make_person(outsider, "王五", WANG_ID, date(1992, 2, 2))
    operators = {}
    for username, enterprise, can_confirm in (("corp_a", a, True), ("corp_a_clerk", a, False), ("corp_b", b, True)):
        operators[username] = make_user(username, Role.ENTERPRISE, password=None)
        EnterpriseOperator.objects.create(user=operators[username], enterprise=enterprise, can_confirm=can_confirm)
    staff = make_staff(password=None)  # the workflow tests force_login: no hashing
    return World(
        enterprise_a=a, enterprise_b=b, enterprise_unauth=c, applicant=applicant, registered=registered,
        outsider=outsider, operator_a=operators["corp_a"], operator_a_readonly=operators["corp_a_clerk"],
        operator_b=operators["corp_b"], reviewer=staff["reviewer"],
        reviewer2=make_user("reviewer2", Role.REVIEWER, password=None), district_yz=staff["district_yz"],
        district_yb=staff["district_yb"], service=staff["service"], admin=staff["admin"],
    )


def build_personas() -> Personas:
    """Create the identity cast (see the module's docstring)."""
    from registry.people.models import Enterprise, Role

    applicant = make_user("zhang", Role.APPLICANT, first_name="张三")
    person = make_person(applicant, "张三", id_number("50010319900101001"), date(1990, 1, 1))
    other = make_user("li", Role.APPLICANT, first_name="李四")
    other_person = make_person(other, "李四", id_number("50011219850615002"), date(1985, 6, 15))
    enterprise_a = Enterprise.objects.create(credit_code=CREDIT_A, name="重庆山城建设工程有限公司", district="500103")
    enterprise_b = Enterprise.objects.create(credit_code=CREDIT_B_IDENTITY, name="重庆渝北宏达建筑工程有限公司",
                                             district="500112")
    return Personas(
        applicant=applicant, person=person, other_applicant=other, other_person=other_person,
        legal_a=make_legal("legal_a", enterprise_a), enterprise_a=enterprise_a,
        legal_b=make_legal("legal_b", enterprise_b), enterprise_b=enterprise_b,
        outsider=make_user("outsider", Role.APPLICANT), **make_staff(),
    )
