"""Fixtures shared by every test in the project: the reference material, the one clock, external tools.

The clock: ``clock_now`` is the one moment a test session calls "now". Keys, seals, signing times and
validities made for a test derive from it, never from a date written beside them. With
``REGISTRY_TEST_CLOCK_SHIFT_DAYS=N`` the whole process (the code under test, the live server's threads
and the fixtures) runs N days in the future, so a test written today is proved to pass next year.

Personas: ``world`` and ``personas`` are the one cast of ``registry.testing``.

Tools: a test that needs Chromium, Node's test tools or OpenSSL asks for the fixture. Locally a missing
tool skips the test with its reason; under CI (``CI=true``) it fails it, so the suite cannot go green
while quietly checking less.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from registry import clock
from registry.testing import Personas, World, build_personas, build_world

REPO_ROOT = Path(__file__).resolve().parent.parent
# The reference material (schemas, vendor samples) lives beside the checkout, never inside it.
SHARED_DIR = Path(os.environ.get("REGISTRY_SHARED_DIR", REPO_ROOT.parent / "shared"))
NODE_TOOLS = REPO_ROOT / "tools" / "node_modules"
CLOCK_SHIFT_ENV = "REGISTRY_TEST_CLOCK_SHIFT_DAYS"
# A demo's moved clock (registry.clock) never reaches a test: only the journeys' started system has one.
os.environ.pop("REGISTRY_DEMO_CLOCK_FILE", None)
# The earliest date a test scenario is set at (registry.testing.at): keys made for tests are valid from it.
SCENARIOS_BEGIN = datetime(2020, 1, 1, tzinfo=UTC)


def under_ci() -> bool:
    """Return whether the suite runs under CI, where a missing tool is an error rather than a skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    """Skip the current test for a missing tool, or fail it under CI."""
    if under_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool fails the run instead of skipping)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """Return Debian's Chromium (or the one CHROMIUM_PATH names), or None."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Return the folder of shared reference material (../shared beside the checkout)."""
    if not (SHARED_DIR / "standards").is_dir():
        pytest.fail(f"reference material not found at {SHARED_DIR}; set REGISTRY_SHARED_DIR")
    return SHARED_DIR


@pytest.fixture(scope="session")
def clock_now() -> datetime:
    """Return the session's "now" (UTC, whole seconds), read once from the one clock."""
    return clock.now().replace(microsecond=0)


@pytest.fixture
def world(db) -> World:
    """Return the workflow cast of ``registry.testing`` (every role, two employers, an outsider)."""
    return build_world()


@pytest.fixture
def personas(db) -> Personas:
    """Return the identity cast of ``registry.testing`` (before any enterprise authentication)."""
    return build_personas()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Return the path of Debian's Chromium (scripts/bootstrap installs it)."""
    path = find_chromium()
    if path is None:
        missing("Chromium is not installed (scripts/bootstrap installs Debian's chromium; CHROMIUM_PATH overrides)")
    return path


@pytest.fixture(scope="session")
def node() -> str:
    """Return the node binary, with the project's Node test tools (ofd.js, sm-crypto) installed."""
    path = shutil.which("node")
    if path is None or not all((NODE_TOOLS / name).is_dir() for name in ("ofd.js", "sm-crypto")):
        missing("node or the Node test tools are not installed (scripts/bootstrap runs npm ci in tools/)")
    return path


@pytest.fixture(scope="session")
def openssl() -> str:
    """Return the openssl binary."""
    path = shutil.which("openssl")
    if path is None:
        missing("openssl is not installed")
    return path


def pytest_configure(config: pytest.Config) -> None:
    """Move the process clock ahead when REGISTRY_TEST_CLOCK_SHIFT_DAYS is set."""
    days = os.environ.get(CLOCK_SHIFT_ENV, "").strip()
    if not days:
        return
    import time_machine

    traveller = time_machine.travel(clock.now() + timedelta(days=int(days)), tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    days = os.environ.get(CLOCK_SHIFT_ENV, "").strip()
    if days:
        return f"clock moved {days} days ahead: now is {clock.now():%Y-%m-%d %H:%M} UTC"
    return None


# Property tests are about correctness, not speed: no per-example deadline, which a loaded CI machine
# would otherwise turn into random failures.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("registry", deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "registry"))


@pytest.fixture(scope="session", autouse=True)
def certificate_sandbox(tmp_path_factory, clock_now: datetime):
    """Seal every certificate a test issues with a demo key made at the session's "now", and store them
    in a temporary folder, so no test writes to var/ or depends on a key made on another day; and count
    verification checks at once.

    The key is valid from SCENARIOS_BEGIN, the earliest date a test's scenario is set at, to ten years
    after the session's "now": a test frozen at a date of its scenario and one on the (moved) real clock
    both seal inside its validity, in any year.
    """
    from django.conf import settings
    from django.test import override_settings

    from registry.seal.demo import create_demo_pki

    seal_dir = tmp_path_factory.mktemp("certificate-seal")
    create_demo_pki(seal_dir, now=clock_now, not_before=SCENARIOS_BEGIN)
    storages = {**settings.STORAGES, "certificates": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("certificate-files"))},
    }}
    # Verification checks are written at once, so a test reads its counts in its own transaction, and the
    # rate limit counts each request in the cache (the delayed writes of production have their own tests:
    # certificates/tests/test_checks.py, ops/tests/test_ratelimit.py).
    override = override_settings(SEAL_KEY_DIR=seal_dir, CERTIFICATE_SIGNER="demo", STORAGES=storages,
                                 VERIFICATION_COUNT_DELAY_SECONDS=0, RATE_LIMIT_SYNC_MS=0)
    override.enable()
    yield seal_dir
    override.disable()
