"""Bad values on the application pages, and personal pages that are neither cached nor opened on a stale sign-in."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from registry.applications.models import Application
from registry.applications.tests.conftest import at, draft_initial, under_review

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def personal_change(world, mobile: str):
    return client_for(world.registered).post(reverse("applications:new"), {
        "application_type": "change", "change_kind": "personal", "new_mobile": mobile})


@pytest.mark.parametrize("mobile", ["<script>alert(1)</script>", "1380000000", "23800000001", "138000000012",
                                    "１３８００００００１"])
def test_the_mobile_number_of_a_personal_change_must_be_a_chinese_mobile(world, mobile):
    response = personal_change(world, mobile)
    assert "手机号码应为以 1 开头的 11 位数字" in response.content.decode()
    assert not Application.objects.exists()


def test_a_valid_mobile_number_is_accepted(world):
    assert personal_change(world, "13912345678").status_code == 302
    assert Application.objects.get().details["mobile"] == "13912345678"


def test_application_detail_and_receipt_are_never_cached(world):
    application = under_review(world, at(2026, 11, 20))
    client = client_for(world.applicant)
    for name in ("applications:detail", "applications:receipt"):
        response = client.get(reverse(name, args=[application.pk]))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], name


def test_a_private_material_needs_a_recent_sign_in(world):
    application = draft_initial(world, at(2026, 11, 2))
    url = reverse("applications:material", args=[application.pk, application.materials.first().pk])
    client = client_for(world.applicant)
    assert client.get(url).status_code == 200
    session = client.session
    session["auth_at"] = int(time.time()) - 3600
    session.save()
    stale = client.get(url)
    assert stale.status_code == 302 and stale["Location"].startswith("/login/?next=")
