"""Identifiers: time-ordered UUIDs (version 7, RFC 9562).

Time ordering keeps primary-key indexes append-mostly and gives lists a stable, meaningful
tie-breaker for keyset pagination.
"""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> uuid.UUID:
    unix_ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (unix_ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 62) & 0x0FFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # rand_b, 62 bits
    return uuid.UUID(int=value)


def parse_id(value: str) -> uuid.UUID | None:
    """An id from a URL or body, or None when it cannot be one of ours."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None
