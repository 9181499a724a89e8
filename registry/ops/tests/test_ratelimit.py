"""The rate limit's window counter (registry.ops.ratelimit) and the batch it writes by (registry.ops.batches)."""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter

import pytest

from registry.ops import ratelimit
from registry.ops.batches import CountBatch
from registry.ops.cache import RedisCache
from registry.ops.ratelimit import WindowLimit

NEVER = 3_600_000  # a sync delay (ms) no test waits out: only flush() writes


@pytest.fixture
def workers(redis_cache, settings, monkeypatch):
    """Two gunicorn workers' limits: each its own cache client (its own connection pool) on the one Redis."""
    settings.RATE_LIMIT_SYNC_MS = NEVER
    limits = []
    for _ in range(2):
        limit = WindowLimit(f"test-limit-{uuid.uuid4().hex[:6]}")
        client = RedisCache(redis_cache._servers[0], {"KEY_PREFIX": redis_cache.key_prefix})
        monkeypatch.setattr(limit, "cache", lambda client=client: client)
        limits.append(limit)
    yield limits
    for limit in limits:
        limit.clear()


def stored(cache, key: str, window: int) -> int | None:
    return cache.get(f"{key}:{window}")


def window_now() -> int:
    from registry import clock

    return int(clock.timestamp() // 60)


def test_within_one_worker_each_request_counts_at_once_without_a_round_trip(workers, redis_cache, monkeypatch):
    writes = []
    monkeypatch.setattr(ratelimit, "add_to_windows", lambda *args: writes.append(args) or {})
    one = workers[0]
    assert [one.count("10.0.0.1") for _ in range(4)] == [1, 2, 3, 4]
    assert one.count("10.0.0.2") == 1  # another address has its own count
    assert writes == [] and stored(redis_cache, "10.0.0.1", window_now()) is None


def test_one_write_adds_a_workers_counts_and_learns_everyones(workers, redis_cache):
    a, b = workers
    window = window_now()
    for _ in range(2):
        a.count("10.0.0.1")
    for _ in range(3):
        b.count("10.0.0.1")
    b.count("10.0.0.9")
    assert a.flush() == 1 and stored(redis_cache, "10.0.0.1", window) == 2
    assert b.flush() == 2 and stored(redis_cache, "10.0.0.1", window) == 5  # one write for both addresses
    assert stored(redis_cache, "10.0.0.9", window) == 1
    assert b.count("10.0.0.1") == 6  # b's write answered the shared total: a's counts included
    assert a.count("10.0.0.1") == 3  # a has not written since b did: its own counts, until its next write
    a.flush()
    assert a.count("10.0.0.1") == 7 and stored(redis_cache, "10.0.0.1", window) == 6
    ttl = redis_cache._cache.get_client(write=True).ttl(redis_cache.make_and_validate_key(f"10.0.0.1:{window}"))
    assert 60 < ttl <= 120  # the counter outlives its window by one more


def test_an_address_spread_over_workers_is_held_to_the_limit_once_they_have_written(workers):
    a, b = workers
    limit = 3
    answers = []
    for n in range(10):
        worker = workers[n % 2]
        answers.append(worker.count("10.0.0.1") > limit)
        worker.flush()  # what each worker's writer thread does a moment later
    assert answers[:3] == [False] * 3 and all(answers[4:])
    assert a.count("10.0.0.1") > limit and b.count("10.0.0.1") > limit


def test_a_count_during_a_write_is_neither_lost_nor_counted_twice(workers, redis_cache, monkeypatch):
    one = workers[0]
    one.count("10.0.0.1")
    seen = []
    real_write = one._write

    def write_while_counting(counts: Counter) -> dict:
        seen.append(one.count("10.0.0.1"))  # a request while the write is under way
        return real_write(counts)

    monkeypatch.setattr(one._batch, "_write", write_while_counting)
    assert one.flush() == 1
    assert seen == [2]
    assert one.count("10.0.0.1") == 3  # the written 1, the one counted during the write, this one
    one._batch._write = real_write
    one.flush()
    assert stored(redis_cache, "10.0.0.1", window_now()) == 3


def test_while_the_cache_is_away_each_worker_still_limits_and_the_counts_wait(workers, redis_cache, monkeypatch, caplog):
    one = workers[0]

    def away():
        raise ConnectionError("Redis is not reachable")

    with monkeypatch.context() as patch:
        patch.setattr(one, "cache", away)
        assert [one.count("10.0.0.1") for _ in range(3)] == [1, 2, 3]
        with caplog.at_level(logging.WARNING, logger="registry.ops.batches"):
            assert one.flush() == 0
        assert one.count("10.0.0.1") == 4  # the failed write's counts are still counted
    assert "not written yet; kept for the next write" in caplog.text and "10.0.0.1" not in caplog.text
    monkeypatch.setattr(one, "cache", lambda: redis_cache)
    assert one.flush() == 1
    assert stored(redis_cache, "10.0.0.1", window_now()) == 4


def test_a_new_window_counts_from_one_and_forgets_the_last(workers, monkeypatch):
    from registry import clock

    one = workers[0]
    start = clock.timestamp()
    monkeypatch.setattr(clock, "timestamp", lambda: start)
    for _ in range(3):
        one.count("10.0.0.1")
    one.flush()
    assert one._batch._totals
    monkeypatch.setattr(clock, "timestamp", lambda: start + 60)
    assert one.count("10.0.0.1") == 1
    assert all(window == int((start + 60) // 60) for _, window in one._batch._totals)


def test_past_the_limit_of_waiting_addresses_a_new_one_is_let_through_uncounted(workers, monkeypatch, caplog):
    one = workers[0]
    monkeypatch.setattr(one._batch, "max_pending", 2)
    assert one.count("10.0.0.1") == 1 and one.count("10.0.0.2") == 1
    with caplog.at_level(logging.WARNING, logger="registry.ops.ratelimit"):
        assert one.count("10.0.0.3") == 1 and one.count("10.0.0.3") == 1
    assert "too many counts waiting for the cache" in caplog.text
    assert one.count("10.0.0.1") == 2  # a waiting address still counts


def test_the_writer_thread_writes_after_the_delay(redis_cache, settings, monkeypatch):
    settings.RATE_LIMIT_SYNC_MS = 20
    limit = WindowLimit("test-limit-thread")
    monkeypatch.setattr(limit, "cache", lambda: redis_cache)
    try:
        for _ in range(2):
            limit.count("10.0.0.1")
        deadline = time.monotonic() + 30
        while stored(redis_cache, "10.0.0.1", window_now()) != 2:
            assert time.monotonic() < deadline, "the writer thread did not write"
            time.sleep(0.02)
    finally:
        limit.clear()


def test_without_a_delay_every_request_is_counted_in_the_cache(redis_cache, settings, monkeypatch):
    settings.RATE_LIMIT_SYNC_MS = 0
    limit = WindowLimit("test-limit-at-once")
    monkeypatch.setattr(limit, "cache", lambda: redis_cache)
    assert [limit.count("10.0.0.1") for _ in range(2)] == [1, 2]
    assert stored(redis_cache, "10.0.0.1", window_now()) == 2 and not limit._batch._totals


def test_after_failed_writes_the_writer_waits_longer_up_to_30_s():
    batch = CountBatch("test-batch", delay=lambda: 0.25, write=lambda counts: 1 / 0, max_pending=10)
    waits = [batch._wait()]
    for _ in range(10):
        batch.add("k")
        batch.flush()
        waits.append(batch._wait())
    assert waits[:4] == [0.25, 0.5, 1.0, 2.0] and waits[-1] == 30.0
    batch._write = lambda counts: None
    batch.flush()
    assert batch._wait() == 0.25
    batch.clear()
