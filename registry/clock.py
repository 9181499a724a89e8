"""The one clock: every reading of the current time in the product goes through this module.

Pure (no Django). Services still take ``now`` as an argument; this is where the views, commands and
libraries that start a use case read it. Tests move it for the whole process (time-machine patches the
functions below it), so "now" in a test, in the code under test and in a key made for the test is one
and the same moment; the suite's moved-clock pass (``REGISTRY_TEST_CLOCK_SHIFT_DAYS``) relies on that.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Deadlines, validity and the dates printed on certificates are days of Chongqing's time zone.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Return the current moment, timezone-aware in UTC."""
    return datetime.now(UTC)


def timestamp() -> float:
    """Return the current moment as seconds since the epoch (for sessions and tokens)."""
    return now().timestamp()


def today() -> date:
    """Return today's date in Asia/Shanghai."""
    return now().astimezone(LOCAL_ZONE).date()
