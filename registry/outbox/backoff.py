"""Retry delays: exponential backoff with full jitter. Pure: no Django import."""

from __future__ import annotations

import random


def retry_delay(attempts: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Return the seconds to wait after the given number of failed attempts (1 = the first failure).

    The ceiling doubles with each failure up to ``cap``; the delay is drawn uniformly between half the
    ceiling and the ceiling, so receivers coming back are not hit by every sender at once.
    """
    ceiling = min(cap, base * (2 ** max(attempts - 1, 0)))
    return (rng or random).uniform(ceiling / 2, ceiling)
