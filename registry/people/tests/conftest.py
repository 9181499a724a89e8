"""Personas of the identity tests: one per role, two employers in two districts, an outsider."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache

from registry.identifiers import resident_id_check_char, uscc_check_char
from registry.people.lock import SoftwareLock, fingerprint
from registry.people.models import (
    Enterprise,
    LegacyEnterpriseRecord,
    LockCertificate,
    Person,
    Role,
    User,
    YkbAccountKind,
    YkbIdentity,
)

PASSWORD = "Persona-Pass-2026"


def id_number(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def credit_code(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 160), (200, 200, 200)).save(out, "PNG")
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


def hidden_fields(page: str) -> dict[str, str]:
    """Return the hidden inputs of an HTML page (including the CSRF token)."""
    return {html.unescape(n): html.unescape(v)
            for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}


@pytest.fixture(autouse=True)
def identity_settings(settings, tmp_path):
    """Keep simulator keys and private files in a temporary folder; forget cached discovery documents."""
    settings.YKB_SIM_KEY_DIR = tmp_path / "ykb-sim"
    settings.FACE_PROVIDER_JWKS = str(tmp_path / "ykb-sim" / "face-public.jwks")
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    # Personas' passwords hash fast; the legacy-upgrade test puts Argon2 first again.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "registry.people.hashers.LegacySaltedSHA1PasswordHasher",
                                 "registry.people.hashers.LegacyMD5PasswordHasher"]
    cache.clear()
    yield settings
    cache.clear()


@dataclass
class Personas:
    applicant: User
    person: Person
    other_applicant: User
    other_person: Person
    legal_a: User            # legal person of enterprise A (渝中区), not yet bound
    enterprise_a: Enterprise
    legal_b: User            # legal person of enterprise B (渝北区)
    enterprise_b: Enterprise
    reviewer: User
    district_yz: User
    district_yb: User
    service: User
    admin: User
    outsider: User


def make_user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)


def make_legal(username: str, enterprise: Enterprise) -> User:
    user = make_user(username, Role.ENTERPRISE)
    YkbIdentity.objects.create(user=user, issuer="https://ykb.test", subject=f"sub-{username}",
                               kind=YkbAccountKind.LEGAL, credit_code=enterprise.credit_code,
                               enterprise_name=enterprise.name)
    return user


@pytest.fixture
def personas(db) -> Personas:
    applicant = make_user("zhang", Role.APPLICANT, first_name="张三")
    person = Person.objects.create(user=applicant, name="张三", id_number=id_number("50010319900101001"),
                                   sex="M", birth_date=date(1990, 1, 1))
    other = make_user("li", Role.APPLICANT, first_name="李四")
    other_person = Person.objects.create(user=other, name="李四", id_number=id_number("50011219850615002"),
                                         sex="M", birth_date=date(1985, 6, 15))
    enterprise_a = Enterprise.objects.create(credit_code=credit_code("91500103MA60001X1"),
                                             name="重庆山城建设工程有限公司", district="500103")
    enterprise_b = Enterprise.objects.create(credit_code=credit_code("91500112MA60009K9"),
                                             name="重庆渝北宏达建筑工程有限公司", district="500112")
    return Personas(
        applicant=applicant, person=person, other_applicant=other, other_person=other_person,
        legal_a=make_legal("legal_a", enterprise_a), enterprise_a=enterprise_a,
        legal_b=make_legal("legal_b", enterprise_b), enterprise_b=enterprise_b,
        reviewer=make_user("reviewer", Role.REVIEWER),
        district_yz=make_user("district_yz", Role.DISTRICT, district="500103"),
        district_yb=make_user("district_yb", Role.DISTRICT, district="500112"),
        service=make_user("service", Role.SERVICE_CENTRE),
        admin=make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
        outsider=make_user("outsider", Role.APPLICANT),
    )


def signed_in(client, user):
    """Sign the client in through the password form, so the session records the sign-in time."""
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def make_lock(db):
    """Return a factory of software locks whose certificate is imported for an old-system record."""

    def factory(credit: str, name: str = "重庆山城建设工程有限公司", *, import_it: bool = True,
                not_after: datetime = datetime(2035, 1, 1, tzinfo=UTC)) -> SoftwareLock:
        lock = SoftwareLock.create(enterprise_name=name, credit_code=credit,
                                   not_before=datetime(2019, 1, 1, tzinfo=UTC), not_after=not_after)
        if import_it:
            record, _ = LegacyEnterpriseRecord.objects.get_or_create(old_credit_code=credit, name=name)
            LockCertificate.objects.create(record=record, certificate_der=lock.certificate_der,
                                           fingerprint=fingerprint(lock.certificate_der), serial="1",
                                           not_after=not_after)
        return lock

    return factory
