"""Enterprise authentication: the identity-lock challenge for real, the old password, on-site, operators."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from registry.audit.models import AuditEvent
from registry.people.hashers import LegacyMD5PasswordHasher, LegacySaltedSHA1PasswordHasher
from registry.people.lock import b64url
from registry.people.models import (
    EnterpriseAuthentication,
    EnterpriseAuthState,
    EnterpriseOperator,
    LegacyEnterpriseRecord,
    LockCertificate,
    LockChallenge,
    Role,
    User,
)
from registry.testing import PDF_BYTES, png_bytes, signed_in

# --- Identity lock ----------------------------------------------------------------------------------


def ask_challenge(client) -> str:
    response = client.post("/enterprise/authenticate/", {"action": "lock"})
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)["challenge"][0]


def answer(client, challenge, certificate, signature):
    """Post the lock's answer back, as the driver page does (never in a URL)."""
    return client.post("/enterprise/authenticate/lock/", {"challenge": challenge, "certificate": b64url(certificate),
                                                          "signature": b64url(signature)}, follow=True)


def test_the_lock_answer_in_a_url_is_refused(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code)
    signed_in(client, personas.legal_a)
    challenge = ask_challenge(client)
    reply = lock.respond(challenge)
    query = urlencode({"challenge": challenge, "certificate": b64url(reply.certificate_der),
                       "signature": b64url(reply.signature)})
    assert client.get(f"/enterprise/authenticate/lock/?{query}").status_code == 405
    personas.enterprise_a.refresh_from_db()
    assert not personas.enterprise_a.is_authenticated_employer


def lock_answer(client, user, lock, *, certificate_of=None):
    """Sign in as the user, ask for a challenge, sign it with the lock and answer (with another lock's certificate if asked)."""
    signed_in(client, user)
    challenge = ask_challenge(client)
    reply = lock.respond(challenge)
    return answer(client, challenge, (certificate_of or lock).certificate_der, reply.signature)


def test_the_lock_signs_the_challenge_and_the_enterprise_is_authenticated(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code)
    page = lock_answer(client, personas.legal_a, lock)
    assert "身份锁认证通过" in page.content.decode()
    personas.enterprise_a.refresh_from_db()
    assert personas.enterprise_a.auth_state == EnterpriseAuthState.AUTHENTICATED
    assert personas.enterprise_a.auth_method == "lock"
    link = EnterpriseOperator.objects.get(user=personas.legal_a, enterprise=personas.enterprise_a)
    assert link.is_manager and link.can_confirm
    assert AuditEvent.objects.filter(action="people.enterprise.authenticated", actor=personas.legal_a,
                                     details__method="lock").exists()


def test_a_replayed_lock_answer_is_refused(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code)
    signed_in(client, personas.legal_a)
    challenge = ask_challenge(client)
    reply = lock.respond(challenge)
    answer(client, challenge, reply.certificate_der, reply.signature)
    EnterpriseOperator.objects.all().delete()
    again = answer(client, challenge, reply.certificate_der, reply.signature)
    assert "已使用" in again.content.decode()
    assert not EnterpriseOperator.objects.exists()


def test_a_signature_by_another_key_is_refused(client, personas, make_lock):
    registered = make_lock(personas.enterprise_a.credit_code)
    impostor = make_lock(personas.enterprise_a.credit_code, import_it=False)
    page = lock_answer(client, personas.legal_a, impostor, certificate_of=registered)
    assert "签名验证失败" in page.content.decode()
    personas.enterprise_a.refresh_from_db()
    assert personas.enterprise_a.auth_state == EnterpriseAuthState.UNAUTHENTICATED


def test_a_lock_not_registered_in_the_old_system_is_refused(client, personas, make_lock):
    stranger = make_lock(personas.enterprise_a.credit_code, import_it=False)
    assert "未在原二级建造师注册管理系统登记" in lock_answer(client, personas.legal_a, stranger).content.decode()


def test_a_signature_of_another_challenge_is_refused(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code)
    signed_in(client, personas.legal_a)
    first, second = ask_challenge(client), ask_challenge(client)
    reply = lock.respond(first)
    assert "签名验证失败" in answer(client, second, reply.certificate_der, reply.signature).content.decode()


def test_a_revoked_certificate_is_refused_and_on_site_is_required(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code)
    LockCertificate.objects.update(revoked_at=timezone.now())
    text = lock_answer(client, personas.legal_a, lock).content.decode()
    assert "已被吊销" in text and "现场认证" in text
    personas.enterprise_a.refresh_from_db()
    assert personas.enterprise_a.onsite_required_reason


def test_a_lost_lock_is_refused_and_on_site_is_required(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code)
    signed_in(client, personas.legal_a)
    client.post("/enterprise/authenticate/", {"action": "lost"})
    challenge = ask_challenge(client)
    reply = lock.respond(challenge)
    text = answer(client, challenge, reply.certificate_der, reply.signature).content.decode()
    assert "已登记遗失" in text and "区县住房城乡建设主管部门" in text


def test_an_expired_certificate_is_refused(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code, not_after=datetime(2024, 1, 1, tzinfo=UTC))
    assert "已过期" in lock_answer(client, personas.legal_a, lock).content.decode()


def test_an_expired_challenge_is_refused(client, personas, make_lock):
    lock = make_lock(personas.enterprise_a.credit_code)
    signed_in(client, personas.legal_a)
    challenge = ask_challenge(client)
    LockChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    reply = lock.respond(challenge)
    assert "挑战已过期" in answer(client, challenge, reply.certificate_der, reply.signature).content.decode()


def test_a_credit_code_differing_from_the_old_record_requires_on_site(client, personas, make_lock):
    lock = make_lock(personas.enterprise_b.credit_code)  # the lock of the old record names another code
    LegacyEnterpriseRecord.objects.update(old_credit_code="915001030000000000")
    text = lock_answer(client, personas.legal_a, lock).content.decode()
    assert "统一社会信用代码与原系统登记的不一致" in text and "现场认证" in text
    refused = EnterpriseAuthentication.objects.get(outcome="refused")
    assert refused.method == "lock"
    assert AuditEvent.objects.filter(action="people.enterprise.auth_refused",
                                     details__reason="lock.credit_code_mismatch").exists()


def test_another_users_challenge_is_refused(client, personas, make_lock):
    from django.test import Client

    lock = make_lock(personas.enterprise_a.credit_code)
    other = signed_in(Client(), personas.legal_b)
    challenge = ask_challenge(other)
    reply = lock.respond(challenge)
    signed_in(client, personas.legal_a)
    assert "挑战无效" in answer(client, challenge, reply.certificate_der, reply.signature).content.decode()


def test_the_lock_driver_of_the_simulator_answers_the_challenge(client, personas, settings):
    from registry.ykb_sim.demo import LOCK_NAME, load_identity_demo

    load_identity_demo()
    signed_in(client, personas.legal_a)
    start = client.post("/enterprise/authenticate/", {"action": "lock"})
    driver = client.get(start["Location"])
    assert LOCK_NAME in driver.content.decode()
    from registry.testing import hidden_fields

    fields = hidden_fields(driver.content.decode()) | {"lock": LOCK_NAME}
    signed = client.post(urlsplit(start["Location"]).path, fields)
    assert signed.status_code == 200 and "certificate" not in signed.get("Location", "")
    page = signed.content.decode()
    target = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    done = client.post(urlsplit(html.unescape(target)).path, hidden_fields(page), follow=True)
    assert "身份锁认证通过" in done.content.decode()


# --- The former system's username and password -------------------------------------------------------


@pytest.fixture
def legacy_account(personas, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher",
                                 "registry.people.hashers.LegacySaltedSHA1PasswordHasher",
                                 "registry.people.hashers.LegacyMD5PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create(username="old_account", role=Role.ENTERPRISE,
                               password=LegacySaltedSHA1PasswordHasher().encode("Old-Secret-1", "abcd"))
    LegacyEnterpriseRecord.objects.create(old_credit_code=personas.enterprise_a.credit_code,
                                          name=personas.enterprise_a.name, legacy_user=user)
    return user


def test_an_old_password_authenticates_and_is_rehashed_with_argon2(client, personas, legacy_account):
    signed_in(client, personas.legal_a)
    response = client.post("/enterprise/authenticate/", {"action": "legacy", "username": "old_account",
                                                         "password": "Old-Secret-1"}, follow=True)
    assert "企业身份认证通过" in response.content.decode()
    legacy_account.refresh_from_db()
    assert legacy_account.password.startswith("argon2$")
    assert legacy_account.must_change_password
    personas.enterprise_a.refresh_from_db()
    assert personas.enterprise_a.auth_method == "legacy_password"
    assert EnterpriseOperator.objects.filter(user=legacy_account, can_confirm=False).exists()


def test_the_migrated_old_account_must_change_its_password(client, personas, legacy_account):
    from django.test import Client

    signed_in(Client(), personas.legal_a).post(
        "/enterprise/authenticate/", {"action": "legacy", "username": "old_account", "password": "Old-Secret-1"})
    assert client.post("/login/", {"username": "old_account", "password": "Old-Secret-1"}).status_code == 302
    assert client.get("/")["Location"] == "/account/password/"
    client.post("/account/password/", {"old_password": "Old-Secret-1", "new_password1": "Brand-New-Pass-77",
                                       "new_password2": "Brand-New-Pass-77"})
    legacy_account.refresh_from_db()
    assert not legacy_account.must_change_password


def test_an_unsalted_md5_hash_is_also_understood(personas, legacy_account):
    legacy_account.password = LegacyMD5PasswordHasher().encode("Md5-Secret", "")
    legacy_account.save()
    assert legacy_account.check_password("Md5-Secret")
    legacy_account.refresh_from_db()
    assert legacy_account.password.startswith("argon2$")


def test_a_wrong_old_password_is_refused(client, personas, legacy_account):
    signed_in(client, personas.legal_a)
    response = client.post("/enterprise/authenticate/", {"action": "legacy", "username": "old_account",
                                                         "password": "wrong"})
    assert "原系统用户名或密码不正确" in response.content.decode()
    legacy_account.refresh_from_db()
    assert legacy_account.password.startswith("legacy_sha1$")


def test_old_passwords_are_throttled(client, personas, legacy_account, settings):
    signed_in(client, personas.legal_a)
    for _ in range(settings.LOGIN_THROTTLE_MAX_PER_USER):
        client.post("/enterprise/authenticate/", {"action": "legacy", "username": "old_account", "password": "x"})
    response = client.post("/enterprise/authenticate/", {"action": "legacy", "username": "old_account",
                                                         "password": "Old-Secret-1"})
    assert "尝试次数过多" in response.content.decode()


def test_an_old_account_of_another_credit_code_requires_on_site(client, personas, legacy_account):
    LegacyEnterpriseRecord.objects.update(old_credit_code="915001030000000000")
    signed_in(client, personas.legal_a)
    response = client.post("/enterprise/authenticate/", {"action": "legacy", "username": "old_account",
                                                         "password": "Old-Secret-1"})
    text = response.content.decode()
    assert "统一社会信用代码与原系统登记的不一致" in text and "现场认证" in text
    assert not EnterpriseOperator.objects.exists()


# --- On-site authentication by the district officer ----------------------------------------------------


def onsite_form(**extra):
    data = {"decision": "approve", "checked_licence": "on", "checked_qualification": "on",
            "licence_scan": SimpleUploadedFile("licence.png", png_bytes(), "image/png"),
            "qualification_scan": SimpleUploadedFile("q.pdf", PDF_BYTES, "application/pdf")}
    return data | extra


def test_the_district_officer_authenticates_an_enterprise_of_the_district_on_site(client, personas):
    signed_in(client, personas.district_yb)
    listing = client.get("/district/enterprises/").content.decode()
    assert personas.enterprise_b.name in listing and personas.enterprise_a.name not in listing
    response = client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", onsite_form())
    assert response.status_code == 302
    personas.enterprise_b.refresh_from_db()
    assert personas.enterprise_b.auth_state == EnterpriseAuthState.AUTHENTICATED
    assert personas.enterprise_b.auth_method == "on_site"
    entry = EnterpriseAuthentication.objects.get(enterprise=personas.enterprise_b, outcome="authenticated")
    assert entry.actor == personas.district_yb and entry.licence_scan and entry.qualification_scan
    assert EnterpriseOperator.objects.filter(user=personas.legal_b, enterprise=personas.enterprise_b,
                                             is_manager=True).exists()
    scan = client.get(f"/district/enterprises/{personas.enterprise_b.pk}/scans/{entry.pk}/licence/")
    assert scan.status_code == 200 and scan["Content-Type"] == "image/png"


def test_a_scan_needs_a_recent_sign_in(client, personas):
    signed_in(client, personas.district_yb)
    client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", onsite_form())
    entry = EnterpriseAuthentication.objects.get()
    session = client.session
    session["auth_at"] = int(time.time()) - 3600
    session.save()
    scan = client.get(f"/district/enterprises/{personas.enterprise_b.pk}/scans/{entry.pk}/licence/")
    assert scan.status_code == 302 and scan["Location"].startswith("/login/?next=")


def test_another_districts_officer_cannot_reach_the_enterprise(client, personas):
    signed_in(client, personas.district_yb)
    client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", onsite_form())
    entry = EnterpriseAuthentication.objects.get()
    client.logout()
    signed_in(client, personas.district_yz)
    assert client.get(f"/district/enterprises/{personas.enterprise_b.pk}/").status_code == 404
    assert client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", onsite_form()).status_code == 404
    assert client.get(f"/district/enterprises/{personas.enterprise_b.pk}/scans/{entry.pk}/licence/").status_code == 404


def test_an_agent_needs_the_legal_persons_authorisation_letter(client, personas):
    signed_in(client, personas.district_yb)
    response = client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", onsite_form(is_agent="on"))
    assert "授权书" in response.content.decode()
    personas.enterprise_b.refresh_from_db()
    assert personas.enterprise_b.auth_state == EnterpriseAuthState.UNAUTHENTICATED


def test_approval_needs_the_scans(client, personas):
    signed_in(client, personas.district_yb)
    data = onsite_form()
    del data["qualification_scan"]
    response = client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", data)
    assert "通过认证前须核验并上传" in response.content.decode()


def test_a_scan_that_is_not_pdf_jpeg_or_png_is_refused(client, personas):
    signed_in(client, personas.district_yb)
    data = onsite_form(licence_scan=SimpleUploadedFile("x.png", b"GIF89a not really", "image/png"))
    response = client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", data)
    assert "只接受 PDF、JPEG 或 PNG" in response.content.decode()
    assert not EnterpriseAuthentication.objects.exists()


def test_a_credit_code_failing_its_check_needs_the_officers_recorded_reason(client, personas):
    from registry.audit.models import AuditEvent
    from registry.identifiers import uscc_check_char
    from registry.people.models import Enterprise

    first17 = "91500112MA6000ABC"
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != uscc_check_char(first17))
    enterprise = Enterprise.objects.create(credit_code=first17 + wrong, name="重庆校验异常建筑有限公司",
                                           district="500112")
    signed_in(client, personas.district_yb)
    url = f"/district/enterprises/{enterprise.pk}/"
    assert "统一社会信用代码校验未通过" in client.get(url).content.decode()
    response = client.post(url, onsite_form())
    assert "请与营业执照原件核对" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.auth_state == EnterpriseAuthState.UNAUTHENTICATED
    response = client.post(url, onsite_form(credit_code_override="已与营业执照原件核对一致，为登记机关实际核发"))
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.auth_state == EnterpriseAuthState.AUTHENTICATED
    assert enterprise.credit_code_override_reason == "已与营业执照原件核对一致，为登记机关实际核发"
    event = AuditEvent.objects.get(action="people.enterprise.credit_code_overridden")
    assert event.actor == personas.district_yb and event.details["warnings"]


def test_a_valid_credit_code_needs_no_override(client, personas):
    signed_in(client, personas.district_yb)
    assert "统一社会信用代码校验未通过" not in client.get(f"/district/enterprises/{personas.enterprise_b.pk}/").content.decode()
    client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", onsite_form())
    personas.enterprise_b.refresh_from_db()
    assert personas.enterprise_b.credit_code_override_reason == ""


def test_a_refusal_needs_a_reason(client, personas):
    signed_in(client, personas.district_yb)
    response = client.post(f"/district/enterprises/{personas.enterprise_b.pk}/", {"decision": "refuse"})
    assert "不予认证时须填写原因" in response.content.decode()


# --- Operators ----------------------------------------------------------------------------------------


@pytest.fixture
def authenticated_a(personas):
    personas.enterprise_a.auth_state = EnterpriseAuthState.AUTHENTICATED
    personas.enterprise_a.save()
    EnterpriseOperator.objects.create(user=personas.legal_a, enterprise=personas.enterprise_a,
                                      is_manager=True, can_confirm=True)
    return personas.enterprise_a


def test_the_manager_adds_an_operator_and_chooses_who_confirms(client, personas, authenticated_a):
    signed_in(client, personas.legal_a)
    url = f"/enterprise/{authenticated_a.pk}/operators/"
    client.post(url, {"action": "add", "username": "clerk1", "full_name": "钱经办", "password": "Clerk-Pass-2026"})
    link = EnterpriseOperator.objects.get(user__username="clerk1")
    assert not link.can_confirm and link.user.must_change_password
    client.post(url, {"action": "grant", "operator": link.pk})
    link.refresh_from_db()
    assert link.can_confirm
    assert AuditEvent.objects.filter(action="people.operator.can_confirm_changed").exists()


def test_an_operator_who_is_not_manager_cannot_change_operators(client, personas, authenticated_a):
    clerk = User.objects.create_user("clerk2", password="Persona-Pass-2026", role=Role.ENTERPRISE)
    link = EnterpriseOperator.objects.create(user=clerk, enterprise=authenticated_a, can_confirm=False)
    signed_in(client, clerk)
    response = client.post(f"/enterprise/{authenticated_a.pk}/operators/", {"action": "grant", "operator": link.pk})
    assert "只有本企业的管理员" in response.content.decode()
    link.refresh_from_db()
    assert not link.can_confirm


def test_another_enterprises_operator_page_answers_404(client, personas, authenticated_a):
    signed_in(client, personas.legal_b)
    assert client.get(f"/enterprise/{authenticated_a.pk}/operators/").status_code == 404
