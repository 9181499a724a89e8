"""Face checks: a passed check is single-use, bound to one person and one purpose, and short-lived."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from registry.audit.log import log_action
from registry.errors import DomainError
from registry.people.errors import FaceResultRefused
from registry.people.models import FaceCheck, FacePurpose, FaceRequest, Person, Role


class FaceCheckRequired(DomainError):
    """No usable face check: the user must pass one (or an on-site check) first."""

    code = "people.face_check_required"


def record_face_check(
    person: Person,
    purpose: str,
    *,
    now: datetime,
    method: str = FaceCheck.Method.PROVIDER,
    result_id: str | None = None,
    lifetime: timedelta | None = None,
    recorded_by=None,
    document_seen: str = "",
) -> FaceCheck:
    """Record a passed face check for a person and purpose."""
    lifetime = lifetime or timedelta(seconds=settings.FACE_CHECK_MAX_AGE_SECONDS)
    return FaceCheck.objects.create(
        person=person,
        purpose=purpose,
        method=method,
        result_id=result_id or secrets.token_hex(16),
        verified_at=now,
        expires_at=now + lifetime,
        recorded_by=recorded_by,
        document_seen=document_seen,
    )


def consume_face_check(person: Person, purpose: str, *, now: datetime, used_for: str) -> FaceCheck:
    """Mark the person's newest valid check for the purpose as used, or raise FaceCheckRequired.

    The conditional update makes a check usable exactly once even under concurrent submissions.
    """
    with transaction.atomic():
        candidates = FaceCheck.objects.filter(
            person=person, purpose=purpose, used_at__isnull=True, expires_at__gt=now, verified_at__lte=now
        ).order_by("-verified_at")
        for check in candidates[:3]:
            if FaceCheck.objects.filter(pk=check.pk, used_at__isnull=True).update(used_at=now, used_for=used_for):
                check.used_at, check.used_for = now, used_for
                return check
    label = FacePurpose(purpose).label
    raise FaceCheckRequired(
        _("请先完成人脸识别（用途：%(purpose)s），核验结果10分钟内有效且只能使用一次。") % {"purpose": label}
    )


# ---------------------------------------------------------------------------------------------------
# The provider round trip: the site asks for a check, the provider returns a signed result.
# ---------------------------------------------------------------------------------------------------



class FaceProvider(Protocol):
    """A face-verification service: where to send the person, and how to check what comes back."""

    def start_url(self, *, request_token: str, subject: str, purpose: str, return_to: str) -> str: ...

    def verify(self, result: str, *, now: datetime) -> dict: ...


class SignedResultProvider:
    """A provider returning an ES256/RS256-signed JWT result (the simulator and, by settings, the real one)."""

    algorithms = ["ES256", "RS256"]

    def start_url(self, *, request_token: str, subject: str, purpose: str, return_to: str) -> str:
        query = urlencode({"request": request_token, "subject": subject, "purpose": purpose, "return_to": return_to})
        base = settings.FACE_PROVIDER_START_URL
        return f"{base}{'&' if '?' in base else '?'}{query}"

    def keys(self) -> KeySet:
        source = settings.FACE_PROVIDER_JWKS
        if source.startswith(("https://", "http://")):
            data = requests.get(source, timeout=10).json()
        else:
            path = Path(source)
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"keys": []}
        return KeySet.import_key_set(data)

    def verify(self, result: str, *, now: datetime) -> dict:
        """Return the claims of a result signed by the provider for this site and still fresh."""
        refused = FaceResultRefused(_("人脸识别结果无效（签名或有效期不符），请重新进行人脸识别。"),
                                    code="people.face.bad_result")
        try:
            token = jwt.decode(result, self.keys(), algorithms=self.algorithms)
            jwt.JWTClaimsRegistry(
                now=int(now.timestamp()), leeway=30,
                iss={"essential": True, "value": settings.FACE_PROVIDER_ISSUER},
                aud={"essential": True, "value": settings.YKB_CLIENT_ID},
                exp={"essential": True}, iat={"essential": True}, jti={"essential": True},
                request={"essential": True}, purpose={"essential": True}, outcome={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError, KeyError, TypeError, requests.RequestException):
            raise refused from None
        claims = token.claims
        issued = int(claims["iat"])
        max_age = settings.FACE_CHECK_MAX_AGE_SECONDS
        if issued > now.timestamp() + 30 or now.timestamp() - issued > max_age or int(claims["exp"]) - issued > max_age:
            raise refused
        return claims


def get_face_provider() -> FaceProvider:
    """Return the configured face provider."""
    return SignedResultProvider()


def face_subject(person: Person) -> str:
    """Return the opaque reference to a person that the provider echoes back (no personal data)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"face-subject:{person.pk}".encode(), hashlib.sha256).hexdigest()[:32]


def start_face_check(*, actor, person: Person, purpose: str, next_url: str, return_to: str, now: datetime) -> str:
    """Open a face-check request for the actor's own person and return the provider URL to go to."""
    if person.user_id != actor.pk:
        raise FaceResultRefused(_("只能为本人进行人脸识别。"), code="people.face.not_own")
    if purpose not in FacePurpose.values:
        raise FaceResultRefused(_("人脸识别用途无效。"), code="people.face.bad_purpose")
    face_request = FaceRequest.objects.create(
        token=secrets.token_urlsafe(24), user=actor, person=person, purpose=purpose, next_url=next_url,
        created_at=now, expires_at=now + timedelta(seconds=settings.FACE_REQUEST_MAX_AGE_SECONDS),
    )
    return get_face_provider().start_url(
        request_token=face_request.token, subject=face_subject(person), purpose=purpose, return_to=return_to
    )


def accept_face_result(*, actor, result: str, now: datetime, ip: str | None = None) -> tuple[FaceCheck, str]:
    """Check a provider result against the actor's open request and record the passed check.

    1. The signature, issuer, audience and age must be right (at most FACE_CHECK_MAX_AGE_SECONDS).
    2. It must answer an open request of this user, for the same person (subject) and purpose.
    3. It must say the face matched; a failed match sends the person to on-site verification.
    4. Each result is used once: the request is closed with a compare-and-set, the result id is unique.
    Return the recorded check and the page to continue to.
    """
    try:
        claims = get_face_provider().verify(result, now=now)
        face_request = FaceRequest.objects.select_related("person").filter(token=str(claims["request"])).first()
        if (
            face_request is None or face_request.user_id != actor.pk
            or not hmac.compare_digest(str(claims.get("sub", "")), face_subject(face_request.person))
            or claims["purpose"] != face_request.purpose
        ):
            raise FaceResultRefused(_("人脸识别结果不属于您的本次请求，已拒绝。"), code="people.face.foreign")
        if face_request.completed_at is not None:
            raise FaceResultRefused(_("该人脸识别结果已使用，请重新进行人脸识别。"), code="people.face.used")
        if face_request.expires_at <= now:
            raise FaceResultRefused(_("人脸识别请求已过期，请重新进行人脸识别。"), code="people.face.stale")
        if claims["outcome"] != "pass":
            FaceRequest.objects.filter(pk=face_request.pk, completed_at__isnull=True).update(completed_at=now)
            raise FaceResultRefused(_(
                "人脸识别未通过。您可以重新识别；如仍无法通过，请本人携带身份证原件到"
                "重庆市工程建设政务服务中心进行现场认证。"), code="people.face.failed")
        with transaction.atomic():
            if not FaceRequest.objects.filter(pk=face_request.pk, completed_at__isnull=True).update(completed_at=now):
                raise FaceResultRefused(_("该人脸识别结果已使用，请重新进行人脸识别。"), code="people.face.used")
            lifetime = min(timedelta(seconds=settings.FACE_CHECK_MAX_AGE_SECONDS),
                           timedelta(seconds=max(0, int(claims["exp"]) - int(now.timestamp()))))
            try:
                with transaction.atomic():
                    check = record_face_check(face_request.person, face_request.purpose, now=now,
                                              result_id=str(claims["jti"])[:64], lifetime=lifetime)
            except IntegrityError:
                raise FaceResultRefused(_("该人脸识别结果已使用，请重新进行人脸识别。"),
                                        code="people.face.used") from None
    except FaceResultRefused as error:
        log_action("people.face.refused", now=now, actor=actor, ip=ip, details={"reason": error.code})
        raise
    log_action("people.face.passed", now=now, actor=actor, target=face_request.person, ip=ip,
               details={"purpose": face_request.purpose, "result": check.result_id[:8]})
    return check, face_request.next_url


def record_onsite_face_check(
    *, actor, person: Person, purposes: list[str], document_seen: str, now: datetime, ip: str | None = None
) -> list[FaceCheck]:
    """Record that service-centre staff verified the person in person with an ID document.

    Each purpose gets one single-use check valid for FACE_ONSITE_VALID_SECONDS.
    """
    if actor is None or actor.role != Role.SERVICE_CENTRE:
        raise FaceResultRefused(_("只有政务服务中心工作人员可以记录现场核验。"), code="people.face.not_staff")
    if not purposes or any(p not in FacePurpose.values for p in purposes):
        raise FaceResultRefused(_("请选择核验用途。"), code="people.face.bad_purpose")
    if not document_seen.strip():
        raise FaceResultRefused(_("请填写核验的证件。"), code="people.face.no_document")
    lifetime = timedelta(seconds=settings.FACE_ONSITE_VALID_SECONDS)
    with transaction.atomic():
        checks = [
            record_face_check(person, purpose, now=now, method=FaceCheck.Method.ON_SITE, lifetime=lifetime,
                              recorded_by=actor, document_seen=document_seen.strip()[:100])
            for purpose in purposes
        ]
        log_action("people.face.onsite_recorded", now=now, actor=actor, target=person, ip=ip,
                   details={"purposes": purposes, "document_seen": document_seen.strip()[:100],
                            "valid_until": checks[0].expires_at.isoformat()})
    return checks
