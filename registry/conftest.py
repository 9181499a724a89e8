"""Fixtures shared by every test in the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The reference material (schemas, vendor samples) lives beside the checkout, never inside it.
SHARED_DIR = Path(os.environ.get("REGISTRY_SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Return the folder of shared reference material (../shared beside the checkout)."""
    if not (SHARED_DIR / "standards").is_dir():
        pytest.fail(f"reference material not found at {SHARED_DIR}; set REGISTRY_SHARED_DIR")
    return SHARED_DIR


# Property tests are about correctness, not speed: no per-example deadline, which a loaded CI machine
# would otherwise turn into random failures.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("registry", deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "registry"))
