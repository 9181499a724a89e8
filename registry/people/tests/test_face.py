"""Face checks: the provider round trip, every refusal, and on-site verification at the service centre."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from registry.audit.models import AuditEvent
from registry.people.face import FaceCheckRequired, consume_face_check
from registry.people.models import FaceCheck, FacePurpose, FaceRequest
from registry.testing import hidden_fields, signed_in
from registry.ykb_sim.keys import load_key


def provider_result(client, *, outcome="pass", purpose="submit", next_url="/"):
    """Start a face check as the signed-in applicant and return the provider's signed result."""
    start = client.post(f"/face/?purpose={purpose}&next={next_url}")
    assert start.status_code == 302
    page = client.get(start["Location"])
    assert page.status_code == 200 and "人脸识别" in page.content.decode()
    fields = hidden_fields(page.content.decode()) | {outcome: "1"}
    answer = client.post(urlsplit(start["Location"]).path, fields)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer["Location"]).query)["result"][0]


def deliver(client, result):
    return client.get("/face/return/", {"result": result}, follow=True)


def test_a_passed_face_check_can_be_used_once_for_its_purpose(client, personas):
    signed_in(client, personas.applicant)
    response = deliver(client, provider_result(client, next_url="/face/?purpose=submit"))
    assert "人脸识别通过" in response.content.decode()
    check = FaceCheck.objects.get(person=personas.person)
    assert check.purpose == FacePurpose.SUBMIT and check.expires_at - check.verified_at <= timedelta(minutes=10)
    assert AuditEvent.objects.filter(action="people.face.passed", actor=personas.applicant).exists()
    now = timezone.now()
    consume_face_check(personas.person, FacePurpose.SUBMIT, now=now, used_for="A-1")
    with pytest.raises(FaceCheckRequired):
        consume_face_check(personas.person, FacePurpose.SUBMIT, now=now, used_for="A-2")


def test_a_check_for_another_purpose_does_not_count(client, personas):
    signed_in(client, personas.applicant)
    deliver(client, provider_result(client, purpose="download"))
    with pytest.raises(FaceCheckRequired):
        consume_face_check(personas.person, FacePurpose.SUBMIT, now=timezone.now(), used_for="A-1")


def test_submitting_without_a_check_is_refused(personas):
    with pytest.raises(FaceCheckRequired):
        consume_face_check(personas.person, FacePurpose.SUBMIT, now=timezone.now(), used_for="A-1")


def test_a_stale_check_is_refused(client, personas):
    signed_in(client, personas.applicant)
    deliver(client, provider_result(client))
    with pytest.raises(FaceCheckRequired):
        consume_face_check(personas.person, FacePurpose.SUBMIT, now=timezone.now() + timedelta(minutes=11),
                           used_for="A-1")


def test_a_result_delivered_twice_is_refused(client, personas):
    signed_in(client, personas.applicant)
    result = provider_result(client)
    deliver(client, result)
    again = deliver(client, result)
    assert "已使用" in again.content.decode()
    assert FaceCheck.objects.filter(person=personas.person).count() == 1
    assert AuditEvent.objects.filter(action="people.face.refused", details__reason="people.face.used").exists()


def test_another_persons_result_is_refused(client, personas, django_user_model):
    from django.test import Client

    other = signed_in(Client(), personas.other_applicant)
    result = provider_result(other)
    signed_in(client, personas.applicant)
    refused = deliver(client, result)
    assert "不属于您的本次请求" in refused.content.decode()
    assert not FaceCheck.objects.exists()


def test_a_result_signed_by_another_key_is_refused(client, personas, settings):
    signed_in(client, personas.applicant)
    genuine = provider_result(client)
    claims = jwt.decode(genuine, load_key("face")).claims
    forged = jwt.encode({"alg": "ES256", "kid": load_key("face").kid}, claims, ECKey.generate_key("P-256"))
    refused = deliver(client, forged)
    assert "人脸识别结果无效" in refused.content.decode()
    assert not FaceCheck.objects.exists()


def test_an_old_result_is_refused(client, personas):
    signed_in(client, personas.applicant)
    claims = jwt.decode(provider_result(client), load_key("face")).claims
    issued = int(time.time()) - 11 * 60
    old = jwt.encode({"alg": "ES256", "kid": load_key("face").kid}, claims | {"iat": issued, "exp": issued + 600},
                     load_key("face"))
    assert "人脸识别结果无效" in deliver(client, old).content.decode()


def test_a_result_for_another_purpose_than_requested_is_refused(client, personas):
    signed_in(client, personas.applicant)
    claims = jwt.decode(provider_result(client, purpose="submit"), load_key("face")).claims
    tampered = jwt.encode({"alg": "ES256", "kid": load_key("face").kid}, claims | {"purpose": "download"},
                          load_key("face"))
    assert "不属于您的本次请求" in deliver(client, tampered).content.decode()


def test_a_failed_match_sends_the_person_to_on_site_verification(client, personas):
    signed_in(client, personas.applicant)
    refused = deliver(client, provider_result(client, outcome="fail"))
    assert "政务服务中心" in refused.content.decode()
    assert not FaceCheck.objects.exists()
    assert FaceRequest.objects.get().completed_at is not None


def test_service_centre_staff_record_an_on_site_check_that_counts_for_a_limited_time(client, personas, settings):
    signed_in(client, personas.service)
    found = client.post("/persons/find/", {"id_number": personas.person.id_number, "name": "张三"})
    assert found.status_code == 302 and personas.person.id_number not in found["Location"]
    page = client.get(found["Location"])
    assert personas.person.id_number in page.content.decode()
    assert AuditEvent.objects.filter(action="people.person.viewed_full", actor=personas.service,
                                     target_id=str(personas.person.pk)).exists()
    recorded = client.post(found["Location"], {"purposes": ["submit", "download"], "document_seen": "居民身份证原件",
                                               "confirmed": "on"})
    assert recorded.status_code == 302
    checks = FaceCheck.objects.filter(person=personas.person, method=FaceCheck.Method.ON_SITE)
    assert checks.count() == 2 and all(c.recorded_by == personas.service for c in checks)
    assert all(c.document_seen == "居民身份证原件" for c in checks)
    now = timezone.now()
    consume_face_check(personas.person, FacePurpose.SUBMIT, now=now + timedelta(days=1), used_for="A-1")
    with pytest.raises(FaceCheckRequired):
        consume_face_check(personas.person, FacePurpose.DOWNLOAD,
                           now=now + timedelta(seconds=settings.FACE_ONSITE_VALID_SECONDS + 60), used_for="C-1")
    event = AuditEvent.objects.get(action="people.face.onsite_recorded")
    assert event.actor == personas.service and event.details["document_seen"] == "居民身份证原件"


def test_only_service_centre_staff_record_on_site_checks(client, personas):
    signed_in(client, personas.reviewer)
    response = client.post(f"/persons/{personas.person.pk}/", {"purposes": ["submit"],
                                                              "document_seen": "居民身份证原件", "confirmed": "on"})
    assert response.status_code == 404
    assert not FaceCheck.objects.exists()


def test_an_applicant_cannot_open_the_staff_person_page(client, personas):
    signed_in(client, personas.applicant)
    assert client.get(f"/persons/{personas.person.pk}/").status_code == 404


def test_the_on_site_form_needs_the_confirmation(client, personas):
    signed_in(client, personas.service)
    response = client.post(f"/persons/{personas.person.pk}/", {"purposes": ["submit"], "document_seen": "居民身份证原件"})
    assert "请确认已当面核验本人及证件" in response.content.decode()
