"""Helpers of the operations tests: a production environment and a fresh interpreter to run code in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[3]

# What production needs to start (registry/tests/test_settings.py has the same; it is not a fixture there).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,jzs.example.gov.cn",
    "DEMO_MODE": "false",
    "CERTIFICATE_VERIFICATION_KEY": "q" * 40,
    "YKB_ISSUER": "https://ykb.example.gov.cn/oidc",
    "YKB_CLIENT_SECRET": "c" * 40,
    "FACE_PROVIDER_START_URL": "https://face.example.gov.cn/start",
    "FACE_PROVIDER_ISSUER": "cq-face-provider",
    "FACE_PROVIDER_JWKS": "face-provider.jwks",
    "LOCK_DRIVER_URL": "https://lock-driver.example.gov.cn/",
    "NATIONAL_PLATFORM_URL": "https://national.example.gov.cn/api/messages",
    "NATIONAL_PLATFORM_SECRET": "n" * 40,
}
_PREFIXES = ("YKB_", "FACE_", "LOCK_", "SENTRY_", "MEDIA_", "LOG_", "SECURE_", "GUNICORN_", "NATIONAL_")


def clean_environment() -> dict[str, str]:
    """Return this process's environment without the settings a test sets itself."""
    return {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith(_PREFIXES)
            and k not in {"DATABASE_URL", "TASKS_BACKEND", "WEB_CONCURRENCY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}


def run_python(code: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter at the checkout with Django set up on exactly these settings."""
    prelude = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='registry.settings'; django.setup()\n"
    return subprocess.run([sys.executable, "-c", prelude + code], env={**clean_environment(), **env},
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


def postgres_url_of_test_database() -> str | None:
    """Return a URL of the test database when it is on PostgreSQL (its migrations are applied), else None."""
    if connection.vendor != "postgresql":
        return None
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}?conn_max_age=0"
