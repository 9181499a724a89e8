"""Django's Redis cache, with one client object per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache operation; redis-py's
constructor fills its table of about 170 response callbacks each time, which profiled at about a quarter
of a millisecond per operation -- more than the round trip to a local Redis. A ``redis.Redis`` is safe to
share between threads (each command takes a connection from the pool), so one per pool is enough.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """settings.CACHES' backend for redis:// URLs (registry.env.parse_cache_url)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._scripts: dict[int, object] = {}

    # Add each count to its counter and give a counter its expiry when the count made it: atomic in Redis,
    # one command for any number of counters (a counter is never 0, so its first count is the total).
    _ADD_TO_WINDOWS = ("local totals = {} "
                       "for i, key in ipairs(KEYS) do "
                       "local n = redis.call('INCRBY', key, ARGV[i + 1]) "
                       "if n == tonumber(ARGV[i + 1]) then redis.call('EXPIRE', key, ARGV[1]) end "
                       "totals[i] = n end return totals")
    _KEYS_PER_SCRIPT = 500

    def add_to_windows(self, counts: Mapping[str, int], timeout: int) -> dict[str, int]:
        """Add counts to counters that expire `timeout` seconds after their first count; return the totals.

        One round trip and one command per 500 counters (a script, sent by its digest once Redis knows it),
        where add() then incr() take two round trips each and a MULTI of both half as much again of the
        client's CPU; no window in which a counter expires between its count and its expiry.
        """
        keys = list(counts)
        if not keys:
            return {}
        client = self._cache.get_client(keys[0], write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(self._ADD_TO_WINDOWS)
        totals = {}
        for start in range(0, len(keys), self._KEYS_PER_SCRIPT):
            chunk = keys[start:start + self._KEYS_PER_SCRIPT]
            answered = script(keys=[self.make_and_validate_key(key) for key in chunk],
                              args=[timeout, *(counts[key] for key in chunk)])
            totals.update(zip(chunk, map(int, answered), strict=True))
        return totals


def add_to_windows(cache, counts: Mapping[str, int], timeout: int) -> dict[str, int]:
    """Add counts to the cache's counters, each of which lives `timeout` seconds from its first count;
    return their totals.

    In one round trip on Redis (RedisCache.add_to_windows); with add() and incr() on other backends.
    """
    if isinstance(cache, RedisCache):
        return cache.add_to_windows(counts, timeout)
    totals = {}
    for key, count in counts.items():
        if cache.add(key, count, timeout=timeout):
            totals[key] = count
            continue
        try:
            totals[key] = cache.incr(key, count)
        except ValueError:  # expired in between
            cache.add(key, count, timeout=timeout)
            totals[key] = count
    return totals


def count_in_window(cache, key: str, timeout: int) -> int:
    """Add one to the cache's counter `key`, which lives `timeout` seconds from its first count; return it."""
    return add_to_windows(cache, {key: 1}, timeout)[key]
