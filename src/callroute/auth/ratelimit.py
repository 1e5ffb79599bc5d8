"""Per-key request rate limit: a token bucket per API key, in this process; and a throttle
on failed authentication per client address, so that keys cannot be guessed at speed.

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
        self.failures = FailureThrottle(monotonic)

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


# Addresses with failures are forgotten once their bucket is full again; past this many, the
# oldest are dropped so that a scan from many addresses cannot grow the table without bound.
MAX_TRACKED_ADDRESSES = 100_000


class FailureThrottle:
    """``per_minute`` failed authentications per client address, then a wait: a token bucket
    per address that only failures drain. While an address has no token left, its requests
    are refused before their key is even looked at, so guessing learns nothing."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    def wait(self, address: str, per_minute: int) -> int | None:
        """Seconds ``address`` must wait before trying again, or None when it may try now."""
        bucket = self._refilled(address, per_minute)
        if per_minute <= 0 or bucket is None or bucket.tokens >= 1.0:
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / (per_minute / 60.0)))

    def failed(self, address: str, per_minute: int) -> None:
        if per_minute <= 0:
            return
        bucket = self._refilled(address, per_minute)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_ADDRESSES:
                self._buckets.pop(next(iter(self._buckets)))
            bucket = self._buckets[address] = _Bucket(float(per_minute), self._monotonic())
        bucket.tokens = max(0.0, bucket.tokens - 1.0)

    def _refilled(self, address: str, per_minute: int) -> _Bucket | None:
        bucket = self._buckets.get(address)
        if bucket is None or per_minute <= 0:
            return bucket
        now = self._monotonic()
        bucket.tokens += (now - bucket.updated) * per_minute / 60.0
        bucket.updated = now
        if bucket.tokens >= per_minute:  # recovered: nothing left to remember
            del self._buckets[address]
            return None
        return bucket
