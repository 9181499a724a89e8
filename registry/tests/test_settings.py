"""Settings from the environment: the demo runs on defaults, production refuses insecure ones."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from registry.env import env_bool, env_int, env_list, parse_cache_url, parse_database_url
from registry.testing import PRODUCTION_ENV, PRODUCTION_PREFIXES

SAFE = PRODUCTION_ENV


ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='registry.settings'; django.setup()"


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh interpreter with exactly these setting overrides."""
    clean = {k: v for k, v in os.environ.items()
             if k not in SAFE and not k.startswith(PRODUCTION_PREFIXES)}
    return subprocess.run([sys.executable, *args], env={**clean, **env}, capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with exactly these overrides."""
    return run_with(env, "-c", SETUP)


def test_production_settings_start_when_everything_is_set():
    result = import_settings(SAFE)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("override, fragment", [
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ({"DEMO_MODE": "true"}, "DEMO_MODE"),
    ({"CERTIFICATE_VERIFICATION_KEY": "k" * 50}, "CERTIFICATE_VERIFICATION_KEY"),
    ({"NATIONAL_PLATFORM_URL": ""}, "NATIONAL_PLATFORM_URL"),
    ({"NATIONAL_PLATFORM_SECRET": "demo-national-secret"}, "NATIONAL_PLATFORM_SECRET"),
    ({"CERTIFICATE_VERIFICATION_KEY": SAFE["SECRET_KEY"]}, "CERTIFICATE_VERIFICATION_KEY"),
    ({"SECRET_KEY": "a" * 36}, "SECRET_KEY"),
    ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY"),
    ({"YKB_ISSUER": "http://ykb.example.gov.cn/oidc"}, "YKB_ISSUER"),
    ({"FACE_PROVIDER_JWKS": "http://face.example.gov.cn/jwks"}, "FACE_PROVIDER_JWKS"),
    ({"FACE_PROVIDER_START_URL": "http://face.example.gov.cn/start"}, "FACE_PROVIDER_START_URL"),
    ({"CSRF_TRUSTED_ORIGINS": "http://*"}, "CSRF_TRUSTED_ORIGINS"),
    ({"CSRF_TRUSTED_ORIGINS": "https://*.example.gov.cn"}, "CSRF_TRUSTED_ORIGINS"),
    ({"CSRF_TRUSTED_ORIGINS": "http://jzs.example.gov.cn"}, "CSRF_TRUSTED_ORIGINS"),
    ({"YKB_ID_TOKEN_ALGORITHMS": "none"}, "YKB_ID_TOKEN_ALGORITHMS"),
    ({"YKB_ID_TOKEN_ALGORITHMS": "ES256,HS256"}, "YKB_ID_TOKEN_ALGORITHMS"),
    ({"FACE_CHECK_MAX_AGE_SECONDS": "86400"}, "FACE_CHECK_MAX_AGE_SECONDS"),
    ({"CERTIFICATE_SIGNER": "demo"}, "demo seal key"),
    ({"CERTIFICATE_SIGNER_URL": ""}, "CERTIFICATE_SIGNER_URL"),
    ({"AUTHORITY_CREDIT_CODE": ""}, "AUTHORITY_CREDIT_CODE"),
    ({"CERTIFICATE_STORAGE": "s3"}, "CERTIFICATE_S3_BUCKET"),
    ({"CACHE_URL": "locmem://"}, "CACHE_URL"),
    ({"CACHE_URL": ""}, "CACHE_URL"),
    ({"REGISTRY_DEMO_CLOCK_FILE": "/tmp/demo-clock"}, "REGISTRY_DEMO_CLOCK_FILE"),
])
def test_production_refuses_an_insecure_default(override, fragment):
    env = {**SAFE, **override}
    if override.get("SECRET_KEY") == "":
        env.pop("SECRET_KEY")
    result = import_settings(env)
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and fragment in result.stderr


@pytest.mark.parametrize("override, fragment", [
    ({"YKB_ID_TOKEN_ALGORITHMS": "none"}, "YKB_ID_TOKEN_ALGORITHMS"),
    ({"FACE_CHECK_MAX_AGE_SECONDS": "86400"}, "FACE_CHECK_MAX_AGE_SECONDS"),
    ({"TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}, "TRUSTED_PROXIES"),
])
def test_no_mode_accepts_unsigned_tokens_a_day_old_face_check_or_a_bad_proxy(override, fragment):
    result = import_settings({"DEBUG": "true", **override})
    assert result.returncode != 0 and fragment in result.stderr


def documented_production() -> dict[str, str]:
    """Return the README's production block, with fresh random values for its <placeholders>."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Production\n.*?```sh\n(.*?)```", readme, re.S).group(1)
    env = {}
    for line in block.splitlines():
        name, _, value = line.partition("=")
        env[name] = secrets.token_urlsafe(50) if value.startswith("<") else value
    return env


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    env = {**documented_production(), "REGISTRY_VAR_DIR": str(tmp_path)}
    assert env["DEBUG"] == "false" and env["SECRET_KEY"] != env["CERTIFICATE_VERIFICATION_KEY"]
    result = run_with(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_sqlite_file_is_readable_by_the_owner_only(tmp_path):
    database = tmp_path / "state" / "registry.sqlite3"
    code = SETUP + "; from django.db import connection; connection.ensure_connection()"
    result = run_with({"DATABASE_URL": f"sqlite:///{database}", "REGISTRY_VAR_DIR": str(tmp_path)}, "-c", code)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700


def test_sqlite_waits_for_the_writer_instead_of_failing():
    options = parse_database_url("sqlite:///var/x.sqlite3", "/srv")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


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


def test_cache_urls():
    local = parse_cache_url("locmem://")
    assert local["BACKEND"].endswith("LocMemCache") and local["KEY_PREFIX"] == ""
    limit = parse_cache_url("locmem://", key_prefix="ratelimit")
    assert limit["LOCATION"] != local["LOCATION"] and limit["KEY_PREFIX"] == "ratelimit"
    shared = parse_cache_url("rediss://:pw@cache.internal:6380/2", key_prefix="ratelimit")
    assert shared == {"BACKEND": "registry.ops.cache.RedisCache",
                      "LOCATION": "rediss://:pw@cache.internal:6380/2", "KEY_PREFIX": "ratelimit"}
    with pytest.raises(ValueError, match="CACHE_URL"):
        parse_cache_url("memcached://cache:11211")


def test_database_urls():
    pg = parse_database_url("postgres://app:s%40cret@db.internal:5433/registry?sslmode=require", "/srv")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == ("registry", "app", "s@cret", "db.internal", "5433")
    assert pg["OPTIONS"] == {"sslmode": "require", "prepare_threshold": 0} and pg["CONN_MAX_AGE"] == 60
    assert parse_database_url("postgres://h/db?conn_max_age=0", "/srv")["CONN_MAX_AGE"] == 0
    assert parse_database_url("sqlite:///var/x.sqlite3", "/srv")["NAME"] == "/srv/var/x.sqlite3"
    assert parse_database_url("sqlite:////tmp/x.sqlite3", "/srv")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ValueError):
        parse_database_url("mysql://x/y", "/srv")


def test_every_setting_is_documented():
    """Every environment variable the code reads is in .env.example and in the README's table."""
    root = ROOT
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
