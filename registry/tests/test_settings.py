"""Settings from the environment: the demo runs on defaults, production refuses insecure ones."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from registry.env import env_bool, env_int, env_list, parse_database_url

SAFE = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "jzs.example.gov.cn",
    "DEMO_MODE": "false",
    "CERTIFICATE_VERIFICATION_KEY": "q" * 40,
    "YKB_ISSUER": "https://ykb.example.gov.cn/oidc",
    "YKB_CLIENT_SECRET": "c" * 40,
    "FACE_PROVIDER_START_URL": "https://face.example.gov.cn/start",
    "FACE_PROVIDER_ISSUER": "cq-face-provider",
    "FACE_PROVIDER_JWKS": "face-provider.jwks",
    "LOCK_DRIVER_URL": "https://lock-driver.example.gov.cn/",
    "AUTHORITY_CREDIT_CODE": "11500000MB1234567A",
    "CERTIFICATE_SIGNER": "remote",
    "CERTIFICATE_SIGNER_URL": "https://sign.example.gov.cn/sign",
    "CERTIFICATE_SIGNER_TOKEN": "t" * 40,
    "CERTIFICATE_SIGNER_CERT_FILE": "signer.pem",
    "CERTIFICATE_SEAL_FILE": "seal.esl",
}


def import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly these overrides."""
    clean = {k: v for k, v in os.environ.items() if k not in SAFE and not k.startswith(("YKB_", "FACE_", "LOCK_", "CERTIFICATE_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='registry.settings'; django.setup()"],
        env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


def test_production_settings_start_when_everything_is_set():
    result = import_settings(SAFE)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("override, fragment", [
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ({"DEMO_MODE": "true"}, "DEMO_MODE"),
    ({"CERTIFICATE_VERIFICATION_KEY": "k" * 50}, "CERTIFICATE_VERIFICATION_KEY"),
    ({"CERTIFICATE_SIGNER": "demo"}, "demo seal key"),
    ({"CERTIFICATE_SIGNER_URL": ""}, "CERTIFICATE_SIGNER_URL"),
    ({"AUTHORITY_CREDIT_CODE": ""}, "AUTHORITY_CREDIT_CODE"),
    ({"CERTIFICATE_STORAGE": "s3"}, "CERTIFICATE_S3_BUCKET"),
])
def test_production_refuses_an_insecure_default(override, fragment):
    env = {**SAFE, **override}
    if override.get("SECRET_KEY") == "":
        env.pop("SECRET_KEY")
    result = import_settings(env)
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and fragment in result.stderr


def test_typed_readers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL") is True and env_int("X_INT", 1) == 42 and env_list("X_LIST") == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ValueError, match="X_BOOL"):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ValueError, match="X_INT"):
        env_int("X_INT", 1)


def test_database_urls():
    pg = parse_database_url("postgres://app:s%40cret@db.internal:5433/registry?sslmode=require", "/srv")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == ("registry", "app", "s@cret", "db.internal", "5433")
    assert pg["OPTIONS"] == {"sslmode": "require"} and pg["CONN_MAX_AGE"] == 60
    assert parse_database_url("postgres://h/db?conn_max_age=0", "/srv")["CONN_MAX_AGE"] == 0
    assert parse_database_url("sqlite:///var/x.sqlite3", "/srv")["NAME"] == "/srv/var/x.sqlite3"
    assert parse_database_url("sqlite:////tmp/x.sqlite3", "/srv")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ValueError):
        parse_database_url("mysql://x/y", "/srv")


def test_every_setting_is_documented():
    """Every environment variable the code reads is in .env.example and in the README's table."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names = set()
    for path in (root / "registry").rglob("*.py"):
        if "tests" in path.parts:
            continue
        names |= set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert names, "no settings found"
    example = (root / ".env.example").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if f"\n{n}=" not in example or f"`{n}`" not in readme)
    assert missing == []
