"""Signatures of outgoing webhooks: HMAC-SHA256 over "<timestamp>.<body>".

Receivers recompute the HMAC with their subscription's secret, compare in constant time, and
reject timestamps older than a few minutes (replays). The same scheme Stripe and others use.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Callroute-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
