"""Production settings refuse the 渝快办 simulator and the demo client secret."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

import registry.settings as project_settings

PRODUCTION = {
    "YKB_CLIENT_SECRET": "real-secret", "YKB_ISSUER": "https://ykb.example.gov.cn/oidc",
    "FACE_PROVIDER_START_URL": "https://face.example.gov.cn/start", "FACE_PROVIDER_ISSUER": "face.example",
    "FACE_PROVIDER_JWKS": "https://face.example.gov.cn/jwks", "LOCK_DRIVER_URL": "https://lock.example.gov.cn/",
}


@pytest.fixture
def production(monkeypatch):
    for name, value in PRODUCTION.items():
        monkeypatch.setattr(project_settings, name, value)
    return monkeypatch


def test_production_settings_start_with_real_providers(production):
    project_settings._check_identity_production()


@pytest.mark.parametrize("name, value", [
    ("YKB_ISSUER", "https://jzs.example.gov.cn/ykb-sim"),
    ("FACE_PROVIDER_START_URL", "/ykb-sim/face/"),
    ("LOCK_DRIVER_URL", "/ykb-sim/lock/"),
    ("YKB_ISSUER", ""),
])
def test_production_refuses_the_simulator_or_a_missing_provider(production, name, value):
    production.setattr(project_settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        project_settings._check_identity_production()


def test_production_refuses_the_demo_client_secret(production):
    production.setattr(project_settings, "YKB_CLIENT_SECRET", "demo-ykb-client-secret")
    with pytest.raises(ImproperlyConfigured, match="YKB_CLIENT_SECRET"):
        project_settings._check_identity_production()
