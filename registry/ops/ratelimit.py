"""Requests per key (a client address) in fixed windows, counted in the cache every worker shares.

Each request is counted in the process's memory at once, and the process's counts of the last moment
(``RATE_LIMIT_SYNC_MS``) are added to the shared counters in one round trip by a writer thread
(registry.ops.batches); the answer of that write is the shared total, all workers' counts. A request is
judged by the shared total the process last saw plus its own counts since. Counted in the request, one
round trip to Redis for each cost the QR landing page, the system's busiest, about a third of its
throughput (benchmarks/README.md).

What that costs in exactness, and no more:
- within one process the limit is exact: its own counts are never late;
- another worker's counts reach this one's judgement within about twice the sync delay (its write,
  then this one's), so an address spreading its requests over W workers can pass the limit by what it
  sends in that moment, and by at most the limit from each worker (each judges by its own counts);
- while the cache is away every process still limits by its own counts, and the shared counts wait in
  memory (bounded) for the cache to come back, instead of failing the page.

With ``RATE_LIMIT_SYNC_MS`` 0 every request is counted in the cache in its own round trip (the tests' way).
"""

from __future__ import annotations

import logging
from collections import Counter

from django.conf import settings
from django.core.cache import caches

from registry import clock
from registry.ops.batches import CountBatch
from registry.ops.cache import add_to_windows, count_in_window

log = logging.getLogger(__name__)

# Addresses one process keeps counting while the cache cannot take their counts.
MAX_PENDING = 100_000


class WindowLimit:
    """A rate limit's counters: requests per key in windows of ``window`` seconds, in ``caches[alias]``."""

    def __init__(self, name: str, *, alias: str = "ratelimit", window: int = 60):
        self.alias, self.window = alias, window
        self._window = None  # the window whose shared totals the batch holds
        self._batch = CountBatch(name, delay=lambda: settings.RATE_LIMIT_SYNC_MS / 1000, write=self._write,
                                 max_pending=MAX_PENDING)

    def cache(self):
        return caches[self.alias]

    def count(self, key: str) -> int:
        """Count one request of `key` in the current window; return the window's count (this one included)."""
        window = int(clock.timestamp() // self.window)
        if settings.RATE_LIMIT_SYNC_MS <= 0:
            return count_in_window(self.cache(), self._cache_key(key, window), self._timeout())
        if window != self._window:
            self._window = window
            self._batch.forget(lambda counted: counted[1] != window)
        total = self._batch.add((key, window))
        if total is None:  # the cache has been away long enough to fill the batch: not counted, not limited
            log.warning("rate limit not counted: too many counts waiting for the cache", extra={"limit": self._batch.name})
            return 1
        return total

    def flush(self) -> int:
        """Add this process's counts to the shared counters now (the tests' way to stand in for the delay)."""
        return self._batch.flush()

    def clear(self) -> None:
        """Forget this process's counts and the totals it saw, and stop its writer thread (the tests' isolation)."""
        self._batch.clear()
        self._window = None

    def _timeout(self) -> int:
        return 2 * self.window  # a window's counter outlives the window by one more: never cut short

    @staticmethod
    def _cache_key(key: str, window: int) -> str:
        return f"{key}:{window}"

    def _write(self, counts: Counter) -> dict:
        names = {self._cache_key(key, window): (key, window) for key, window in counts}
        totals = add_to_windows(self.cache(), {name: counts[counted] for name, counted in names.items()},
                                self._timeout())
        return {names[name]: total for name, total in totals.items()}
