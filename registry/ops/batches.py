"""Counts kept in one process's memory and written together, a moment after the first of them.

The busiest page counts two things on every request: the scan (registry.certificates.checks, in the
database) and the address's requests in the minute (the rate limit, in Redis). Written one by one, each
count was a round trip of its own and cost the page more than its answer (benchmarks/README.md). A
``CountBatch`` adds a count to a dict and wakes a writer thread of the process, which waits ``delay()``
seconds, so that the counts of those seconds gather, and hands them all to ``write`` at once.

- A write that raises keeps its counts for the next try (merged with the new ones), logged with no
  key in the message (keys may hold addresses); after each failure in a row the writer waits twice as
  long, up to 30 s, so a store that is away is neither hammered nor logged about many times a second.
- Past ``max_pending`` keys a new key is refused (``add`` returns False) and existing keys still count,
  so a store that stays away cannot grow the process without bound.
- ``add`` answers the key's total as far as the process knows: what the store answered to the last
  write of the key (when ``write`` returns totals), and what the process has counted since. The rate
  limit decides by it.
- A forked child starts a writer thread of its own on its first count (the parent's does not run in it).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Mapping

log = logging.getLogger(__name__)


class CountBatch:
    """One process's counts not yet written, and the thread that writes them."""

    def __init__(self, name: str, *, delay: Callable[[], float], write: Callable[[Counter], Mapping | None],
                 max_pending: int, before_write: Callable[[], None] | None = None):
        """``write(counts)`` stores the counts; it may return the store's totals of the keys it wrote, which
        ``add`` then counts on (``forget`` drops them). ``before_write`` runs in the writer thread only."""
        self.name, self.max_pending = name, max_pending
        self._delay, self._write, self._before_write = delay, write, before_write
        self._lock = threading.Lock()
        self._counts: Counter = Counter()
        self._writing: Counter = Counter()  # the counts the writes under way have taken
        self._totals: dict = {}  # the store's totals, as the last write of each key returned them
        self._due, self._stop = threading.Event(), threading.Event()
        self._writer_pid: int | None = None  # the process whose writer thread runs (a fork has none)
        self._failures = 0  # writes failed in a row: the writer waits longer after each

    def add(self, key: Hashable, count: int = 1) -> int | None:
        """Count `count` for `key`; return the key's total as far as this process knows, or None (nothing
        counted) when the batch holds ``max_pending`` other keys.

        The total is the store's as the last write returned it, plus what this process has counted since.
        """
        with self._lock:
            if key not in self._counts and len(self._counts) >= self.max_pending:
                return None
            self._counts[key] += count
            total = self._totals.get(key, 0) + self._writing.get(key, 0) + self._counts[key]
            if self._writer_pid != os.getpid():
                self._start_writer()
        self._due.set()
        return total

    def forget(self, stale: Callable[[Hashable], bool]) -> None:
        """Drop the store's totals of the keys `stale` names (a window that has ended)."""
        with self._lock:
            self._totals = {key: total for key, total in self._totals.items() if not stale(key)}

    def flush(self) -> int:
        """Write the pending counts now; return how many keys were written (0 when the write failed)."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._writing += counts
        if not counts:
            return 0
        try:
            totals = self._write(counts)
        except Exception:  # noqa: BLE001  (whatever the store raised: keep the counts, try again later)
            log.warning("%s not written yet; kept for the next write", self.name, exc_info=True,
                        extra={"keys": len(counts)})
            with self._lock:
                self._failures += 1
                self._writing -= counts
                for key, count in counts.items():
                    if key in self._counts or len(self._counts) < self.max_pending:
                        self._counts[key] += count
            self._due.set()  # the writer tries again after the delay
            return 0
        with self._lock:
            self._failures = 0
            self._writing -= counts
            if totals:
                self._totals.update(totals)
        return len(counts)

    def clear(self) -> None:
        """Forget every count and total and stop the writer thread (the tests' isolation)."""
        with self._lock:
            self._counts.clear()
            self._writing.clear()
            self._totals.clear()
            self._stop.set()
            self._due.set()  # wakes a waiting writer to see that it stops
            self._writer_pid = None

    def _start_writer(self) -> None:
        # New events for each writer: a forked child's copies may be held by a thread it does not have.
        self._writer_pid, self._due, self._stop = os.getpid(), threading.Event(), threading.Event()
        threading.Thread(target=self._run, args=(self._due, self._stop), name=self.name, daemon=True).start()

    def _wait(self) -> float:
        """The delay; after failed writes twice as long for each, up to 30 s (a store that is away)."""
        delay = self._delay()
        return min(delay * 2 ** min(self._failures, 10), max(delay, 30.0))

    def _run(self, due: threading.Event, stop: threading.Event) -> None:
        while True:
            due.wait()
            if stop.wait(self._wait()):  # the delay gathers the next moments' counts
                return
            due.clear()
            if self._before_write is not None:
                self._before_write()
            self.flush()
