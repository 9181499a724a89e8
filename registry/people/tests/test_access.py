"""Roles and access: 404 for others' objects, admin for administrators only, re-authentication,
login throttling, and no ID number in any URL."""

from __future__ import annotations

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import get_resolver

from registry.audit.models import AuditEvent
from registry.people.access import (
    enterprises_visible_to,
    get_enterprise_for,
    get_person_for,
    require_recent_auth,
)
from registry.people.enterprise_auth import revoke_lock_certificates
from registry.people.errors import PeopleError
from registry.people.models import LockCertificate, SignInFailure
from registry.testing import PASSWORD, signed_in


def test_an_applicant_reaches_only_their_own_person(personas):
    from django.http import Http404

    assert get_person_for(personas.applicant, personas.person.pk) == personas.person
    with pytest.raises(Http404):
        get_person_for(personas.applicant, personas.other_person.pk)
    with pytest.raises(Http404):
        get_person_for(personas.district_yz, personas.person.pk)


def test_district_officers_see_only_their_district(personas):
    from django.http import Http404

    assert list(enterprises_visible_to(personas.district_yz)) == [personas.enterprise_a]
    with pytest.raises(Http404):
        get_enterprise_for(personas.district_yz, personas.enterprise_b.pk)
    assert set(enterprises_visible_to(personas.reviewer)) == {personas.enterprise_a, personas.enterprise_b}
    assert not enterprises_visible_to(personas.outsider).exists()


def test_the_admin_is_for_administrators_only(client, personas):
    personas.reviewer.is_staff = True
    personas.reviewer.save()
    signed_in(client, personas.reviewer)
    assert client.get("/admin/").status_code == 302
    client.logout()
    signed_in(client, personas.admin)
    assert client.get("/admin/").status_code == 200


def test_the_admin_cannot_change_authentication_states(client, personas):
    signed_in(client, personas.admin)
    client.post(f"/admin/people/enterprise/{personas.enterprise_a.pk}/change/", {
        "credit_code": personas.enterprise_a.credit_code, "name": personas.enterprise_a.name,
        "district": "500103", "auth_state": "authenticated", "is_active": "on",
        "meets_registering_requirements": "on",
    })
    personas.enterprise_a.refresh_from_db()
    assert personas.enterprise_a.auth_state == "unauthenticated"


def test_the_admin_cannot_change_identity_data(client, personas):
    signed_in(client, personas.admin)
    person, enterprise = personas.person, personas.enterprise_a
    client.post(f"/admin/people/person/{person.pk}/change/", {
        "name": "改名", "sex": "M", "birth_date": "2000-01-01", "mobile": "", "email": "", "photo": "",
        "signature": "",
    })
    client.post(f"/admin/people/enterprise/{enterprise.pk}/change/", {
        "credit_code": "91500000MA00000000", "name": enterprise.name, "district": "500103",
        "meets_registering_requirements": "on",
    })
    person.refresh_from_db()
    enterprise.refresh_from_db()
    assert (person.name, str(person.birth_date)) == ("张三", "1990-01-01")
    assert enterprise.credit_code == personas.enterprise_a.credit_code and enterprise.is_active


def test_revoking_lock_certificates_in_the_admin_goes_through_the_service_and_is_audited(client, personas, make_lock):
    make_lock(personas.enterprise_a.credit_code)
    signed_in(client, personas.admin)
    certificate = LockCertificate.objects.get()
    response = client.post("/admin/people/lockcertificate/", {
        "action": "revoke_certificates", "_selected_action": [certificate.pk]})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    event = AuditEvent.objects.get(action="people.lock.revoked")
    assert event.actor == personas.admin and event.details["certificates"] == [certificate.pk]


def test_only_administrators_revoke_lock_certificates(personas, make_lock, clock_now):
    make_lock(personas.enterprise_a.credit_code)
    with pytest.raises(PeopleError):
        revoke_lock_certificates(actor=personas.reviewer, certificates=LockCertificate.objects.all(), now=clock_now)
    assert not LockCertificate.objects.filter(revoked_at__isnull=False).exists()


def test_a_role_change_in_the_admin_is_audited(client, personas):
    signed_in(client, personas.admin)
    from registry.people.admin import RegistryUserAdmin
    from registry.people.models import User

    personas.outsider.role = "reviewer"
    request = RequestFactory().post("/admin/")
    request.user = personas.admin
    RegistryUserAdmin(User, None).save_model(request, personas.outsider, None, True)
    event = AuditEvent.objects.get(action="people.user.role_changed")
    assert event.details["before"]["role"] == "applicant" and event.details["after"]["role"] == "reviewer"


def test_sensitive_acts_need_a_recent_sign_in(client, personas, settings):
    @require_recent_auth(60)
    def sensitive(request):
        return HttpResponse("ok")

    signed_in(client, personas.applicant)
    request = RequestFactory().get("/applications/1/submit/")
    request.user = personas.applicant
    request.session = client.session
    assert sensitive(request).status_code == 200
    session = client.session
    session["auth_at"] = int(time.time()) - 61
    request.session = session
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    response = sensitive(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=%2Fapplications%2F1%2Fsubmit%2F")


def test_failed_sign_ins_are_throttled_with_a_chinese_message(client, personas, settings):
    for _ in range(settings.LOGIN_THROTTLE_MAX_PER_USER):
        client.post("/login/", {"username": "zhang", "password": "wrong"})
    response = client.post("/login/", {"username": "zhang", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert AuditEvent.objects.filter(action="people.signin.failed", details__throttled=True).exists()


def test_failures_are_counted_per_address_too(client, personas, settings):
    settings.LOGIN_THROTTLE_MAX_PER_IP = 3
    for name in ["a1", "a2", "a3"]:
        client.post("/login/", {"username": name, "password": "wrong"})
    response = client.post("/login/", {"username": "zhang", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()


def test_a_typed_username_is_never_stored_plainly(client, personas):
    client.post("/login/", {"username": personas.person.id_number, "password": "wrong"})
    assert personas.person.id_number not in str(list(SignInFailure.objects.values()))
    assert personas.person.id_number not in str(list(AuditEvent.objects.values()))


def test_sign_in_and_failures_are_audited_with_the_address(client, personas):
    client.post("/login/", {"username": "zhang", "password": "wrong"})
    signed_in(client, personas.applicant)
    failed = AuditEvent.objects.get(action="people.signin.failed")
    succeeded = AuditEvent.objects.get(action="people.signin.succeeded")
    assert failed.ip_address == "127.0.0.1" and failed.details["username"] == "zhang"
    assert succeeded.actor == personas.applicant and succeeded.details["method"] == "password"


def test_no_url_pattern_takes_an_id_number():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, text)
            else:
                yield text

    routes = list(walk(get_resolver().url_patterns))
    assert routes
    assert not [r for r in routes if "id_number" in r or "idcard" in r or "id_card" in r]


def test_pages_send_a_content_security_policy_without_inline_scripts(client, personas):
    response = client.get("/login/")
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
