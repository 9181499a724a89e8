"""The suite cannot go quietly green: under CI a test missing its browser fails; locally it is skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from registry import clock
from registry.conftest import REPO_ROOT

NEEDS_CHROMIUM = '''
from registry.conftest import chromium  # noqa: F401  (the project's fixture)

def test_needs_a_browser(chromium):
    assert chromium
'''


def _run(tmp_path, **env):
    (tmp_path / "test_needs_browser.py").write_text(NEEDS_CHROMIUM, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if k not in {"CI", "CHROMIUM_PATH", "PYTEST_ADDOPTS"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
        env={**base, "PYTHONPATH": str(REPO_ROOT), "CHROMIUM_PATH": str(tmp_path / "no-chromium"), **env},
    )


def test_a_missing_chromium_fails_the_run_under_ci(tmp_path):
    result = _run(tmp_path, CI="true")
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout  # the fixture fails, so pytest counts an error
    assert "Chromium is not installed" in result.stdout


def test_a_missing_chromium_is_a_skip_with_its_reason_outside_ci(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "Chromium is not installed" in result.stdout


def test_the_session_now_is_the_clock_now(clock_now):
    assert abs(clock.now() - clock_now) < timedelta(minutes=30)
    assert clock_now.microsecond == 0 and clock_now.utcoffset() == timedelta(0)


def test_the_shifted_pass_moves_the_clock_of_the_whole_process(tmp_path):
    (tmp_path / "test_clock.py").write_text(
        "import time\nfrom datetime import datetime, UTC\nfrom registry import clock\n"
        "def test_moved():\n"
        "    moved = clock.now()\n"
        "    assert (moved - datetime.fromtimestamp(time.time(), UTC)).total_seconds() < 5\n"
        "    print('NOW', int(moved.timestamp()))\n",
        encoding="utf-8",
    )
    (tmp_path / "conftest.py").write_text("from registry.conftest import pytest_configure  # noqa: F401\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-s", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "REGISTRY_TEST_CLOCK_SHIFT_DAYS": "400"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The real clock, read by another program: this process's clock may itself be moved.
    real = int(subprocess.run(["date", "+%s"], capture_output=True, text=True, check=True).stdout)
    moved = int(result.stdout.split("NOW ", 1)[1].split()[0])
    assert abs(moved - real - 400 * 86400) < 600
