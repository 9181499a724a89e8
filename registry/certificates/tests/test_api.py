"""The JSON API's status and search operations: the same answers as the pages, public data only."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from registry.certificates import services
from registry.certificates.tests.helpers import give_images, seed_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(world):
    person = give_images(world.registered.person)
    person.registrations.get().specialties.update(valid_to=timezone.localdate() + timedelta(days=400))
    return seed_certificate(person, timezone.now())


def status_of(link: str, client: Client | None = None):
    parts = urlsplit(link)
    public_id = parts.path.rstrip("/").rpartition("/")[2]
    check = parse_qs(parts.query).get("c", [""])[0]
    return (client or Client()).get(f"/api/certificates/{public_id}", {"c": check})


def test_status_by_link_is_live_and_public_only(holder, world):
    response = status_of(holder.verification_url)
    data = response.json()
    assert response.status_code == 200 and data["answer"]["outcome"] == "valid" and data["answer"]["trustworthy"]
    assert data["certificate"]["registration_number"] == holder.registration_number
    assert holder.name not in response.content.decode() and holder.id_number not in response.content.decode()
    services.cancel_certificates(registration=holder.registration, actor=world.operator_a, now=timezone.now(),
                                 reason="注销注册")
    assert status_of(holder.verification_url).json()["answer"]["outcome"] == "cancelled"


def test_status_of_a_wrong_check_value_or_malformed_id_says_so_without_data(holder):
    public_id = holder.public_id
    wrong = Client().get(f"/api/certificates/{public_id}", {"c": "AAAAAAAA"}).json()
    assert wrong["answer"]["outcome"] == "check_failed" and wrong["certificate"] is None
    malformed = Client().get("/api/certificates/nope", {"c": "x"}).json()
    assert malformed["answer"]["outcome"] == "malformed_link" and malformed["certificate"] is None


def test_search_by_get_and_post_finds_only_an_exact_match(holder):
    query = {"registration_number": holder.registration_number, "name": holder.name}
    found = Client().get("/api/search", query).json()
    assert found["found"] is True and found["answer"]["outcome"] == "valid"
    assert found["certificate"]["link"] == holder.verification_url
    posted = Client().post("/api/search", query, content_type="application/json").json()
    assert posted == found | {"answer": posted["answer"]}  # as_of differs by the moment only
    wrong = Client().post("/api/search", {**query, "name": holder.name + "甲"}, content_type="application/json")
    assert wrong.status_code == 200 and wrong.json() == {"found": False, "answer": None, "certificate": None}


def test_search_refusals_are_json_with_stable_codes_in_chinese():
    bad = Client().get("/api/search", {"registration_number": "12", "name": "张三"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input" and "注册编号" in bad.json()["message"]
    missing = Client().post("/api/search", {}, content_type="application/json")
    assert missing.status_code == 422 and missing.json() == {"code": "invalid_input",
                                                             "message": "请求参数不完整或格式不正确。"}


def test_the_api_shares_the_rate_limit(settings):
    settings.VERIFY_RATE_PER_MINUTE = 1
    client = Client()
    assert client.get("/api/certificates/nope").status_code == 200
    limited = client.get("/api/search", {"registration_number": "x", "name": "y"})
    assert limited.status_code == 429 and limited.json() == {"code": "rate_limited",
                                                             "message": "查询过于频繁，请一分钟后再试。"}


def test_the_api_never_acts_with_a_session(holder, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registered)
    response = client.post("/api/search", {"registration_number": holder.registration_number, "name": "别人"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["found"] is False  # same answer as for anyone
    assert "csrftoken" not in response.cookies  # no CSRF machinery: nothing relies on the cookie
