"""The Redis cache backend of settings.CACHES (registry.ops.cache) and the rate limit's window counter."""

from __future__ import annotations

import uuid

from django.core.cache.backends.locmem import LocMemCache

from registry.ops.cache import RedisCache, add_to_windows, count_in_window


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client("a", write=True)
    assert redis_cache._cache.get_client("b", write=True) is client
    redis_cache.set("k", "值")
    assert redis_cache.get("k") == "值"


def test_the_window_counter_counts_and_expires_with_its_first_count(redis_cache):
    assert [count_in_window(redis_cache, "w", 120) for _ in range(3)] == [1, 2, 3]
    raw = redis_cache._cache.get_client("w").ttl(redis_cache.make_and_validate_key("w"))
    assert 0 < raw <= 120  # the first count set the expiry; later counts kept it
    assert redis_cache.get("w") == 3  # readable through the cache API too
    redis_cache.delete("w")  # the window ended
    assert count_in_window(redis_cache, "w", 120) == 1


def test_two_processes_count_one_window(redis_cache):
    other = RedisCache(redis_cache._servers[0], {"KEY_PREFIX": redis_cache.key_prefix})
    assert other._cache is not redis_cache._cache
    assert [count_in_window(cache, "shared", 60) for cache in (redis_cache, other, redis_cache)] == [1, 2, 3]


def test_other_backends_count_with_add_and_incr():
    cache = LocMemCache(f"count-{uuid.uuid4().hex}", {})
    assert [count_in_window(cache, "w", 60) for _ in range(3)] == [1, 2, 3]
    cache.delete("w")
    assert count_in_window(cache, "w", 60) == 1


def test_the_counter_still_counts_after_redis_forgot_its_script(redis_cache):
    assert count_in_window(redis_cache, "w", 60) == 1
    redis_cache._cache.get_client("w", write=True).script_flush()  # a restarted Redis knows no scripts
    assert count_in_window(redis_cache, "w", 60) == 2


def test_many_counters_are_added_in_one_script_call(redis_cache, monkeypatch):
    assert count_in_window(redis_cache, "a", 60) == 1
    client = redis_cache._cache.get_client("a", write=True)
    calls = []
    original = client.evalsha
    monkeypatch.setattr(client, "evalsha", lambda *args: calls.append(args) or original(*args))
    assert add_to_windows(redis_cache, {"a": 2, "b": 3, "c": 1}, 60) == {"a": 3, "b": 3, "c": 1}
    assert len(calls) == 1
    ttl = client.ttl(redis_cache.make_and_validate_key("b"))
    assert 0 < ttl <= 60  # a counter's first count gives it its expiry, whatever the count


def test_an_added_count_keeps_the_expiry_of_the_first(redis_cache):
    add_to_windows(redis_cache, {"w": 1}, 120)
    client = redis_cache._cache.get_client("w", write=True)
    client.expire(redis_cache.make_and_validate_key("w"), 30)
    assert add_to_windows(redis_cache, {"w": 5}, 120) == {"w": 6}
    assert client.ttl(redis_cache.make_and_validate_key("w")) <= 30


def test_more_counters_than_one_script_takes_go_in_several(redis_cache, monkeypatch):
    monkeypatch.setattr(RedisCache, "_KEYS_PER_SCRIPT", 2)
    counts = {f"k{n}": n + 1 for n in range(5)}
    assert add_to_windows(redis_cache, counts, 60) == counts
    assert add_to_windows(redis_cache, counts, 60) == {key: 2 * count for key, count in counts.items()}
    assert add_to_windows(redis_cache, {}, 60) == {}


def test_other_backends_add_counts_with_add_and_incr():
    cache = LocMemCache(f"count-{uuid.uuid4().hex}", {})
    assert add_to_windows(cache, {"a": 2, "b": 1}, 60) == {"a": 2, "b": 1}
    assert add_to_windows(cache, {"a": 3}, 60) == {"a": 5}
