"""Fixtures of the operations tests."""

from __future__ import annotations

import os
import uuid

import pytest

from registry.conftest import missing
from registry.ops.cache import RedisCache


@pytest.fixture
def redis_cache():
    """A Redis cache (REDIS_URL) under a key prefix of the test's own, emptied afterwards."""
    location = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    cache = RedisCache(location, {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex[:8]}"})
    try:
        cache.get("probe")
    except Exception as exc:  # noqa: BLE001  (no Redis on this machine)
        missing(f"Redis at {location} is not reachable: {exc}")
    yield cache
    cache.clear()
