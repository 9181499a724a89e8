"""Signing in: linking a verified 渝快办 account to a local account, and throttling password guesses."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from registry.audit.log import log_action
from registry.identifiers import InvalidIdentifier, parse_resident_id
from registry.people.errors import IdentityConflict, PeopleError
from registry.people.models import (
    Enterprise,
    EnterpriseOperator,
    Person,
    Role,
    SignInFailure,
    YkbAccountKind,
    YkbIdentity,
)
from registry.people.ykb import YkbClaims, level_sufficient

User = get_user_model()


def _username_for(claims: YkbClaims) -> str:
    """Return a stable local username for a 渝快办 subject that reveals nothing about the person."""
    digest = hashlib.sha256(f"{claims.issuer}|{claims.subject}".encode()).hexdigest()[:20]
    return f"ykb-{digest}"


def _conflict(claims: YkbClaims, *, ip: str | None, reason: str, target=None) -> IdentityConflict:
    """Return the refusal; the caller logs it once the transaction has rolled back."""
    error = IdentityConflict(_(
        "您在渝快办的实名信息与本系统已有记录不一致（%(reason)s），系统没有自动合并。"
        "请携带身份证原件到重庆市工程建设政务服务中心核实。"
    ) % {"reason": reason})
    error.target = target
    error.reason = reason
    return error


def _person_for_claims(claims: YkbClaims, *, ip: str | None, now: datetime) -> Person:
    """Return the Person of the claims: the existing record when name and number agree, or a new one."""
    try:
        parsed = parse_resident_id(claims.id_number, today=now.date())
    except InvalidIdentifier:
        raise PeopleError(_("渝快办返回的身份证件号码无法识别，请到政务服务中心现场核验。"),
                          code="people.signin.bad_id_number") from None
    person = Person.objects.filter(id_number=parsed.number).first()
    if person is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    name=claims.name, id_number=parsed.number, sex="M" if parsed.sex == "male" else "F",
                    birth_date=parsed.birth_date, mobile=claims.mobile, real_name_level=claims.real_name_level,
                )
        except IntegrityError:  # created concurrently by a second sign-in of the same person
            person = Person.objects.get(id_number=parsed.number)
    if person.name != claims.name:
        raise _conflict(claims, ip=ip, reason=_("姓名不同"), target=person)
    return person


def sign_in_with_ykb(claims: YkbClaims, *, ip: str | None, now: datetime):
    """Return the local account for verified 渝快办 claims, creating or linking it; never merge silently.

    1. The real-name level must meet the minimum.
    2. A known subject returns its account, if its person (or enterprise) still matches the claims.
    3. A person account links to the Person with the same ID number and name (refused if the name
       differs, or if that Person already belongs to another 渝快办 subject) or creates one.
    4. A legal-person account creates an enterprise account; the enterprise then authenticates.
    """
    if not claims.subject or not claims.name or not claims.id_number:
        raise PeopleError(_("渝快办未返回完整的实名信息，请在渝快办完成实名认证后再登录。"), code="people.signin.incomplete")
    if not level_sufficient(claims.real_name_level):
        log_action("people.signin.level_too_low", now=now, ip=ip, details={"level": claims.real_name_level})
        raise PeopleError(_("您的渝快办实名认证等级不足（需要 %(level)s 及以上），请先在渝快办提升实名等级。")
                          % {"level": settings.YKB_MIN_REAL_NAME_LEVEL}, code="people.signin.level_too_low")
    if claims.account_type == YkbAccountKind.LEGAL:
        return _sign_in_legal(claims, ip=ip, now=now)
    try:
        return _sign_in_person(claims, ip=ip, now=now)
    except IdentityConflict as error:
        log_action(
            "people.signin.identity_conflict", now=now, target=getattr(error, "target", None), ip=ip,
            details={"reason": getattr(error, "reason", ""), "id_number": claims.id_number},
        )
        raise


def _sign_in_person(claims: YkbClaims, *, ip: str | None, now: datetime):
    with transaction.atomic():
        person = _person_for_claims(claims, ip=ip, now=now)
        link = YkbIdentity.objects.select_related("user").filter(issuer=claims.issuer, subject=claims.subject).first()
        if link is not None:
            user = link.user
            linked_person = getattr(user, "person", None)
            if linked_person is not None and linked_person.pk != person.pk:
                raise _conflict(claims, ip=ip, reason=_("证件号码不同"), target=linked_person)
        else:
            other = YkbIdentity.objects.filter(user=person.user, kind=YkbAccountKind.PERSON).exclude(
                issuer=claims.issuer, subject=claims.subject
            ) if person.user_id else YkbIdentity.objects.none()
            if other.exists():
                raise _conflict(claims, ip=ip, reason=_("该证件号码已关联另一个渝快办账号"), target=person)
            user = person.user
            if user is None:
                user = _new_account(claims, Role.APPLICANT)
            link = YkbIdentity.objects.create(user=user, issuer=claims.issuer, subject=claims.subject,
                                              kind=YkbAccountKind.PERSON)
            log_action("people.ykb.linked", now=now, actor=user, target=person, ip=ip)
        if person.user_id is None:
            Person.objects.filter(pk=person.pk, user__isnull=True).update(user=user)
        person.mobile, person.real_name_level = claims.mobile or person.mobile, claims.real_name_level
        person.save(update_fields=["mobile", "real_name_level"])
        link.last_sign_in_at = now
        link.save(update_fields=["last_sign_in_at"])
    return user


def _new_account(claims: YkbClaims, role: str) -> User:
    """Create the account of a first 渝快办 sign-in; it has no password (create_user(password=None) makes it unusable)."""
    return User.objects.create_user(username=_username_for(claims), password=None, role=role, first_name=claims.name)


def district_of_credit_code(credit_code: str) -> str:
    """Return the district encoded in positions 3-8 of a Chongqing credit code, or ""."""
    from registry.people.models import DISTRICTS

    region = credit_code[2:8]
    return region if region in dict(DISTRICTS) else ""


def _sign_in_legal(claims: YkbClaims, *, ip: str | None, now: datetime):
    """Return the account of a legal-person 渝快办 login; a new Chongqing enterprise is recorded unauthenticated."""
    if not claims.credit_code or not claims.enterprise_name:
        raise PeopleError(_("渝快办法人账号未返回企业名称或统一社会信用代码。"), code="people.signin.incomplete")
    with transaction.atomic():
        link = YkbIdentity.objects.select_related("user").filter(issuer=claims.issuer, subject=claims.subject).first()
        if link is None:
            user = _new_account(claims, Role.ENTERPRISE)
            link = YkbIdentity.objects.create(user=user, issuer=claims.issuer, subject=claims.subject,
                                              kind=YkbAccountKind.LEGAL)
        user = link.user
        if link.credit_code and link.credit_code != claims.credit_code:
            # The legal person now represents another enterprise: drop the links made for the old one.
            EnterpriseOperator.objects.filter(user=user, enterprise__credit_code=link.credit_code).delete()
            log_action("people.ykb.credit_code_changed", now=now, actor=user, ip=ip)
        link.credit_code, link.enterprise_name, link.last_sign_in_at = (
            claims.credit_code, claims.enterprise_name, now)
        link.save(update_fields=["credit_code", "enterprise_name", "last_sign_in_at"])
        if not Enterprise.objects.filter(credit_code=claims.credit_code).exists():
            district = district_of_credit_code(claims.credit_code)
            if district:
                Enterprise.objects.get_or_create(
                    credit_code=claims.credit_code,
                    defaults={"name": claims.enterprise_name, "district": district,
                              "legal_representative": claims.name},
                )
        # No operator link yet: each legal-person account proves the enterprise once (lock, old
        # password or on-site) before it may act for it, even if the enterprise is already authenticated.
    return user


# --- Throttling -------------------------------------------------------------------------------------


def _username_key(username: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), username.strip().lower().encode(), hashlib.sha256).hexdigest()


def is_throttled(username: str, ip: str | None, *, now: datetime) -> bool:
    """Return whether this account is locked from this address, or this address from every account.

    An account is never locked as a whole: its failures from one address lock that (account, address)
    pair only, so a stranger guessing the reviewer's password cannot lock the reviewer out.
    """
    since = now - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    recent = SignInFailure.objects.filter(at__gt=since)
    pair = recent.filter(username_key=_username_key(username))
    pair = pair.filter(ip_address=ip) if ip else pair.filter(ip_address__isnull=True)
    if pair.count() >= settings.LOGIN_THROTTLE_MAX_PER_USER:
        return True
    return bool(ip) and recent.filter(ip_address=ip).count() >= settings.LOGIN_THROTTLE_MAX_PER_IP


def slowdown_seconds(username: str, *, now: datetime) -> float:
    """Return how long to wait before checking this account's password: 0, then doubling up to the maximum.

    Counts the account's failures from every address; past LOGIN_THROTTLE_SLOWDOWN_AFTER each attempt
    waits 0.5 s, 1 s, 2 s ... at most LOGIN_THROTTLE_MAX_DELAY_SECONDS: guessing slows, the owner still signs in.
    """
    since = now - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    failures = SignInFailure.objects.filter(at__gt=since, username_key=_username_key(username)).count()
    excess = failures - settings.LOGIN_THROTTLE_SLOWDOWN_AFTER
    if excess < 0:
        return 0.0
    return float(min(settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS, 0.5 * 2 ** min(excess, 16)))


def record_failure(username: str, ip: str | None, *, now: datetime) -> None:
    """Count one failed sign-in (and forget failures older than the window)."""
    SignInFailure.objects.create(at=now, username_key=_username_key(username), ip_address=ip or None)
    SignInFailure.objects.filter(at__lt=now - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)).delete()


def clear_failures(username: str) -> None:
    """Forget the failures of a username after it signed in."""
    SignInFailure.objects.filter(username_key=_username_key(username)).delete()
