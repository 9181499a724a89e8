"""Face checks: a passed check is single-use, bound to one person and one purpose, and short-lived."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from registry.people.models import FaceCheck, FacePurpose, Person


class FaceCheckRequired(Exception):
    """No usable face check: the user must pass one (or an on-site check) first."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
