"""Domain errors of identity and access: each carries a translated message safe to show."""

from __future__ import annotations

from registry.errors import DomainError


class PeopleError(DomainError):
    """A refused identity or access operation."""

    code = "people.refused"


class IdentityConflict(PeopleError):
    """The 渝快办 attributes contradict an existing record; nothing was merged."""

    code = "people.identity_conflict"


class FaceResultRefused(PeopleError):
    """A face-verification result was not accepted (forged, stale, used, foreign, failed)."""

    code = "people.face_refused"


class EnterpriseAuthRefused(PeopleError):
    """Online enterprise authentication was refused; ``onsite_required`` says whether only on-site remains."""

    code = "people.enterprise_auth_refused"

    def __init__(self, message: str, *, code: str | None = None, onsite_required: bool = False):
        super().__init__(message, code)
        self.onsite_required = onsite_required
