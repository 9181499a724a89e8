"""Helpers of the operations tests: a production environment and a fresh interpreter to run code in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

from registry.testing import PRODUCTION_ENV, PRODUCTION_PREFIXES

REPO_ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = PRODUCTION_ENV

def clean_environment() -> dict[str, str]:
    """Return this process's environment without the settings a test sets itself."""
    return {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith(PRODUCTION_PREFIXES)
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
