"""Enterprise authentication after a legal-person 渝快办 sign-in, and the enterprise's operators.

A legal-person account becomes a managing operator of its enterprise by one of: the identity lock
(challenge-response, SM2), the former system's username and password, or an on-site check by the
district officer. The first success also marks the enterprise authenticated (compare-and-set).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.audit.log import log_action
from registry.files import clean_upload, store_private
from registry.identifiers import InvalidIdentifier, parse_credit_code
from registry.people import lock
from registry.people.access import has_role
from registry.people.errors import EnterpriseAuthRefused, PeopleError
from registry.people.models import (
    AuthMethod,
    Enterprise,
    EnterpriseAuthentication,
    EnterpriseAuthState,
    EnterpriseOperator,
    LegacyEnterpriseRecord,
    LockCertificate,
    LockChallenge,
    YkbAccountKind,
    YkbIdentity,
)
from registry.people.signin import clear_failures, is_throttled, record_failure
from registry.roles import Role

User = get_user_model()

ONSITE_HINT = gettext_lazy("请携带营业执照、资质证书（代办的须携带法定代表人授权书）到企业注册所在地的区县住房城乡建设主管部门办理现场认证。")


def legal_identity_of(user) -> YkbIdentity | None:
    """Return the user's legal-person 渝快办 link, or None."""
    if not has_role(user, Role.ENTERPRISE):
        return None
    return YkbIdentity.objects.filter(user=user, kind=YkbAccountKind.LEGAL).order_by("-last_sign_in_at").first()


def enterprise_of_legal(user) -> Enterprise | None:
    """Return the enterprise named by the credit code 渝快办 verified for this legal-person account."""
    identity = legal_identity_of(user)
    if identity is None or not identity.credit_code:
        return None
    return Enterprise.objects.filter(credit_code=identity.credit_code).first()


def is_bound(user, enterprise: Enterprise) -> bool:
    """Return whether the account already operates the enterprise."""
    return EnterpriseOperator.objects.filter(user=user, enterprise=enterprise).exists()


def _require_legal(actor, enterprise: Enterprise) -> YkbIdentity:
    identity = legal_identity_of(actor)
    if identity is None or identity.credit_code != enterprise.credit_code:
        raise PeopleError(_("请先以该企业的法人身份通过渝快办登录。"), code="people.enterprise.not_legal")
    if enterprise.auth_state == EnterpriseAuthState.SUSPENDED:
        raise PeopleError(_("本企业的身份认证已暂停，请联系注册所在地的区县住房城乡建设主管部门。"),
                          code="people.enterprise.suspended")
    return identity


def _refuse(actor, enterprise: Enterprise, method: str, reason: str, code: str, *, onsite: bool, ip: str | None = None):
    """Record a refused online attempt (and that on-site is now required) and return the error."""
    with transaction.atomic():
        EnterpriseAuthentication.objects.create(
            enterprise=enterprise, method=method, outcome=EnterpriseAuthentication.Outcome.REFUSED,
            reason=reason, actor=actor,
        )
        if onsite:
            enterprise.onsite_required_reason = reason
            enterprise.save(update_fields=["onsite_required_reason"])
        log_action("people.enterprise.auth_refused", actor=actor, target=enterprise, ip=ip,
                   details={"method": method, "reason": code, "onsite_required": onsite})
    message = reason + (" " + str(ONSITE_HINT) if onsite else "")
    return EnterpriseAuthRefused(message, code=code, onsite_required=onsite)


def _authenticate(enterprise: Enterprise, *, method: str, actor, bind: list, now: datetime, ip: str | None = None,
                  **record) -> EnterpriseAuthentication:
    """Mark the enterprise authenticated (if it was not), bind the accounts and write the history."""
    changed = Enterprise.objects.filter(pk=enterprise.pk, auth_state=EnterpriseAuthState.UNAUTHENTICATED).update(
        auth_state=EnterpriseAuthState.AUTHENTICATED, auth_method=method, authenticated_at=now,
        onsite_required_reason="",
    )
    enterprise.refresh_from_db(fields=["auth_state", "auth_method", "authenticated_at", "onsite_required_reason"])
    if enterprise.auth_state != EnterpriseAuthState.AUTHENTICATED:
        raise PeopleError(_("本企业的身份认证已暂停，请联系注册所在地的区县住房城乡建设主管部门。"),
                          code="people.enterprise.suspended")
    for user, manager, can_confirm in bind:
        EnterpriseOperator.objects.get_or_create(
            user=user, enterprise=enterprise, defaults={"is_manager": manager, "can_confirm": can_confirm}
        )
    entry = EnterpriseAuthentication.objects.create(
        enterprise=enterprise, method=method, outcome=EnterpriseAuthentication.Outcome.AUTHENTICATED,
        actor=actor, at=now, **record,
    )
    log_action("people.enterprise.authenticated", now=now, actor=actor, target=enterprise, ip=ip,
               details={"method": method, "state_changed": bool(changed),
                        "bound": [u.username for u, _m, _c in bind]})
    return entry


# --- Identity lock ----------------------------------------------------------------------------------


def issue_lock_challenge(*, actor, enterprise: Enterprise, now: datetime) -> LockChallenge:
    """Issue a fresh random nonce for the actor to sign with the enterprise's identity lock."""
    _require_legal(actor, enterprise)
    return LockChallenge.objects.create(
        nonce=secrets.token_urlsafe(32), user=actor, enterprise=enterprise, created_at=now,
        expires_at=now + timedelta(seconds=settings.LOCK_CHALLENGE_SECONDS),
    )


def authenticate_with_lock(
    *, actor, enterprise: Enterprise, challenge: str, certificate_der: bytes, signature: bytes, now: datetime,
    ip: str | None = None,
) -> EnterpriseAuthentication:
    """Verify a lock's answer to our challenge and authenticate the enterprise.

    1. The challenge must be ours, issued to this user for this enterprise, unexpired and unused; it
       is consumed with a compare-and-set before anything else, so it can never be replayed.
    2. The certificate must be one imported from the former system, not revoked, lost or expired.
    3. Its record's credit code must equal the one 渝快办 verified (else on-site is required).
    4. The SM2 signature of the challenge must verify with the certificate's key.
    """
    _require_legal(actor, enterprise)
    method = AuthMethod.LOCK
    nonce = lock.nonce_of(challenge) or ""
    row = LockChallenge.objects.filter(nonce=nonce).first() if nonce else None
    if row is None or row.user_id != actor.pk or row.enterprise_id != enterprise.pk:
        raise _refuse(actor, enterprise, method, _("身份锁挑战无效。"), "lock.unknown_challenge", onsite=False,
                      ip=ip)
    if not LockChallenge.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise _refuse(actor, enterprise, method, _("该身份锁挑战已使用，请重新发起认证。"), "lock.replayed",
                      onsite=False, ip=ip)
    if row.expires_at <= now:
        raise _refuse(actor, enterprise, method, _("身份锁挑战已过期，请重新发起认证。"), "lock.expired_challenge",
                      onsite=False, ip=ip)
    cert = LockCertificate.objects.select_related("record").filter(
        fingerprint=lock.fingerprint(certificate_der)).first()
    if cert is None:
        raise _refuse(actor, enterprise, method, _("该身份锁未在原二级建造师注册管理系统登记。"), "lock.unknown_certificate",
                      onsite=True, ip=ip)
    if cert.lost_at is not None:
        raise _refuse(actor, enterprise, method, _("该身份锁已登记遗失，不能再用于认证。"), "lock.lost",
                      onsite=True, ip=ip)
    if cert.revoked_at is not None:
        raise _refuse(actor, enterprise, method, _("该身份锁证书已被吊销。"), "lock.revoked", onsite=True,
                      ip=ip)
    if cert.not_after <= now:
        raise _refuse(actor, enterprise, method, _("该身份锁证书已过期。"), "lock.expired_certificate", onsite=True,
                      ip=ip)
    if cert.record.old_credit_code != enterprise.credit_code:
        raise _refuse(actor, enterprise, method, _("渝快办中的统一社会信用代码与原系统登记的不一致。"),
                      "lock.credit_code_mismatch", onsite=True, ip=ip)
    if not lock.verify_signature(bytes(cert.certificate_der), challenge, signature):
        raise _refuse(actor, enterprise, method, _("身份锁签名验证失败（身份锁与登记证书不符）。"), "lock.bad_signature",
                      onsite=False, ip=ip)
    with transaction.atomic():
        return _authenticate(enterprise, method=method, actor=actor, bind=[(actor, True, True)], now=now,
                             ip=ip, checks={"certificate": cert.fingerprint[:16], "serial": cert.serial})


def report_lock_lost(*, actor, enterprise: Enterprise, now: datetime, ip: str | None = None) -> int:
    """Mark the enterprise's imported lock certificates lost; on-site authentication is then required."""
    _require_legal(actor, enterprise)
    with transaction.atomic():
        count = LockCertificate.objects.filter(
            record__old_credit_code=enterprise.credit_code, lost_at__isnull=True
        ).update(lost_at=now)
        reason = _("身份锁已报告遗失。")
        enterprise.onsite_required_reason = reason
        enterprise.save(update_fields=["onsite_required_reason"])
        log_action("people.enterprise.lock_lost", now=now, actor=actor, target=enterprise, ip=ip,
                   details={"certificates": count})
    return count


@transaction.atomic
def revoke_lock_certificates(*, actor, certificates, now: datetime, ip: str | None = None) -> int:
    """Revoke the given identity-lock certificates not yet revoked (administrators only); return how many."""
    if not has_role(actor, Role.ADMIN):
        raise PeopleError(_("只有系统管理员可以吊销身份锁证书。"), code="people.lock.not_admin")
    ids = list(certificates.filter(revoked_at__isnull=True).values_list("pk", flat=True))
    count = LockCertificate.objects.filter(pk__in=ids, revoked_at__isnull=True).update(revoked_at=now)
    log_action("people.lock.revoked", actor=actor, now=now, ip=ip, details={"count": count, "certificates": ids})
    return count


# --- Former system's username and password -----------------------------------------------------------


def authenticate_with_legacy_password(
    *, actor, enterprise: Enterprise, username: str, password: str, now: datetime, ip: str | None = None
) -> EnterpriseAuthentication:
    """Authenticate with the former system's account; its old hash becomes Argon2 and must be changed."""
    _require_legal(actor, enterprise)
    method = AuthMethod.LEGACY_PASSWORD
    throttle_key = "legacy:" + username
    ip = ip
    if is_throttled(throttle_key, ip, now=now):
        raise _refuse(actor, enterprise, method, _("尝试次数过多，请15分钟后再试。"), "legacy.throttled", onsite=False,
                      ip=ip)
    record = LegacyEnterpriseRecord.objects.select_related("legacy_user").filter(
        legacy_user__username=username.strip()).first()
    legacy_user = record.legacy_user if record else None
    # check_password re-hashes a correct legacy hash with Argon2 (Django's upgrade-on-login).
    if legacy_user is None or not legacy_user.is_active or not legacy_user.check_password(password):
        record_failure(throttle_key, ip, now=now)
        raise _refuse(actor, enterprise, method, _("原系统用户名或密码不正确。"), "legacy.bad_credentials",
                      onsite=False, ip=ip)
    clear_failures(throttle_key)
    if record.old_credit_code != enterprise.credit_code:
        raise _refuse(actor, enterprise, method, _("渝快办中的统一社会信用代码与原系统登记的不一致。"),
                      "legacy.credit_code_mismatch", onsite=True, ip=ip)
    with transaction.atomic():
        if not legacy_user.must_change_password or legacy_user.role != Role.ENTERPRISE:
            legacy_user.must_change_password = True
            legacy_user.role = Role.ENTERPRISE
            legacy_user.save(update_fields=["must_change_password", "role"])
        log_action("people.password.legacy_upgraded", now=now, actor=actor, target=legacy_user, ip=ip)
        return _authenticate(enterprise, method=method, actor=actor, now=now, ip=ip,
                             bind=[(actor, True, True), (legacy_user, False, False)],
                             checks={"legacy_username": legacy_user.username})


# --- On-site authentication --------------------------------------------------------------------------


def request_onsite(*, actor, enterprise: Enterprise, now: datetime, ip: str | None = None) -> None:
    """Note that the enterprise will come to its district authority for on-site authentication."""
    _require_legal(actor, enterprise)
    with transaction.atomic():
        Enterprise.objects.filter(pk=enterprise.pk).update(onsite_requested_at=now)
        EnterpriseAuthentication.objects.create(
            enterprise=enterprise, method=AuthMethod.ON_SITE, outcome=EnterpriseAuthentication.Outcome.REQUESTED,
            actor=actor, at=now,
        )
        log_action("people.enterprise.onsite_requested", now=now, actor=actor, target=enterprise, ip=ip)


def credit_code_warnings(enterprise: Enterprise) -> list[str]:
    """Return the failed checks of the enterprise's credit code, as sentences for the officer (empty: all pass)."""
    try:
        return [w.message for w in parse_credit_code(enterprise.credit_code).warnings]
    except InvalidIdentifier as error:
        return [error.message]


def decide_onsite(
    *, actor, enterprise: Enterprise, approved: bool, reason: str, is_agent: bool, checks: dict[str, bool],
    scans: dict[str, bytes], now: datetime, ip: str | None = None, credit_code_override: str = "",
) -> EnterpriseAuthentication:
    """Record the district officer's on-site decision; approval binds the enterprise's legal-person accounts.

    ``scans`` are the uploaded files by kind (licence, qualification, authorisation), as received: they
    are checked, re-encoded and stored privately here (``UploadRejected`` says why one is refused).

    The officer must belong to the enterprise's district; the licence and qualification certificate
    must have been checked and scanned, and for an agent also the legal person's authorisation letter.
    A credit code failing its check character (some really issued codes do) is accepted only with the
    officer's recorded reason, after comparing it with the original licence.
    """
    if not has_role(actor, Role.DISTRICT) or not actor.district or actor.district != enterprise.district:
        raise PeopleError(_("只能办理本区县注册企业的现场认证。"), code="people.enterprise.other_district")
    override = credit_code_override.strip()[:200]
    code_warnings = credit_code_warnings(enterprise) if approved else []
    if approved:
        required = ["licence", "qualification"] + (["authorisation"] if is_agent else [])
        missing = [k for k in required if not checks.get(k) or not scans.get(k)]
        if missing:
            raise PeopleError(_("通过认证前须核验并上传营业执照、资质证书（代办的还须法定代表人授权书）。"),
                              code="people.enterprise.onsite_incomplete")
        if code_warnings and not override:
            raise PeopleError(
                _("统一社会信用代码校验未通过（%(problems)s）。请与营业执照原件核对，确认无误后填写覆盖原因。")
                % {"problems": "；".join(code_warnings)}, code="people.enterprise.credit_code_unverified")
    elif not reason.strip():
        raise PeopleError(_("不予认证时须填写原因。"), code="people.enterprise.no_reason")
    scans = {kind: store_private(clean_upload(data), f"enterprise-auth/{enterprise.pk}")
             for kind, data in scans.items() if data}
    record = {
        "is_agent": is_agent, "checks": {k: bool(v) for k, v in checks.items()},
        "licence_scan": scans.get("licence", ""), "qualification_scan": scans.get("qualification", ""),
        "authorisation_scan": scans.get("authorisation", ""), "reason": reason.strip()[:300],
    }
    with transaction.atomic():
        if not approved:
            entry = EnterpriseAuthentication.objects.create(
                enterprise=enterprise, method=AuthMethod.ON_SITE, outcome=EnterpriseAuthentication.Outcome.REFUSED,
                actor=actor, at=now, **record,
            )
            log_action("people.enterprise.onsite_refused", now=now, actor=actor, target=enterprise, ip=ip)
            return entry
        if code_warnings:
            Enterprise.objects.filter(pk=enterprise.pk).update(credit_code_override_reason=override)
            log_action("people.enterprise.credit_code_overridden", now=now, actor=actor, target=enterprise, ip=ip,
                       details={"warnings": code_warnings, "reason": override})
        legal_users = User.objects.filter(
            ykb_identities__kind=YkbAccountKind.LEGAL, ykb_identities__credit_code=enterprise.credit_code,
            is_active=True,
        ).distinct()
        Enterprise.objects.filter(pk=enterprise.pk).update(onsite_requested_at=None)
        return _authenticate(enterprise, method=AuthMethod.ON_SITE, actor=actor, now=now, ip=ip,
                             bind=[(u, True, True) for u in legal_users], **record)


# --- Operators ---------------------------------------------------------------------------------------


def _require_manager(actor, enterprise: Enterprise) -> None:
    link = EnterpriseOperator.objects.filter(user=actor, enterprise=enterprise, is_manager=True).first()
    if link is None or not enterprise.is_authenticated_employer:
        raise PeopleError(_("只有本企业的管理员可以管理经办人。"), code="people.operator.not_manager")


def add_operator(*, actor, enterprise: Enterprise, username: str, full_name: str, password: str,
                 can_confirm: bool, ip: str | None = None) -> EnterpriseOperator:
    """Create an operator account for the enterprise; it must change its password at first sign-in."""
    _require_manager(actor, enterprise)
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise PeopleError(_("该账号名已被使用，请换一个。"), code="people.operator.username_taken")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, role=Role.ENTERPRISE,
                                        first_name=full_name.strip(), must_change_password=True)
        link = EnterpriseOperator.objects.create(user=user, enterprise=enterprise, can_confirm=can_confirm)
        log_action("people.operator.added", actor=actor, target=enterprise, ip=ip,
                   details={"operator": username, "can_confirm": can_confirm})
    return link


def set_operator_can_confirm(*, actor, link: EnterpriseOperator, can_confirm: bool, ip: str | None = None) -> None:
    """Let the enterprise choose whether an operator may confirm applications."""
    _require_manager(actor, link.enterprise)
    with transaction.atomic():
        EnterpriseOperator.objects.filter(pk=link.pk).update(can_confirm=can_confirm)
        log_action("people.operator.can_confirm_changed", actor=actor, target=link.enterprise, ip=ip,
                   details={"operator": link.user.username, "can_confirm": can_confirm})


def remove_operator(*, actor, link: EnterpriseOperator, ip: str | None = None) -> None:
    """Remove an operator (a manager cannot remove itself)."""
    _require_manager(actor, link.enterprise)
    if link.user_id == actor.pk:
        raise PeopleError(_("不能移除自己。"), code="people.operator.self")
    with transaction.atomic():
        username, enterprise = link.user.username, link.enterprise
        link.delete()
        log_action("people.operator.removed", actor=actor, target=enterprise, ip=ip,
                   details={"operator": username})
