"""Per-key request rate limit: a token bucket per API key, in this process.

Each server process keeps its own buckets; behind N servers the effective limit is up to N
times the setting. That keeps the hot path free of a shared store; the limit protects the
service from runaway scripts, it is not a billing meter.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    def check(self, key: str) -> int | None:
        """Take one token for ``key``; return None if allowed, else seconds until allowed."""
        if self.per_minute <= 0:
            return None
        now = self._monotonic()
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=float(self.per_minute), updated=now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))
