"""API key format, generation and hashing.

A key reads ``crk_<8 id chars>_<40 secret chars>``. The first part (``crk_<id>``) is the visible
prefix: stored in clear, unique, used to find the row. The whole key is hashed with SHA-256;
keys carry 238 bits of randomness, so a slow password hash would add cost without adding safety.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

KEY_SCHEME = "crk"
_ALPHABET = string.ascii_letters + string.digits
_ID_LENGTH = 8
_SECRET_LENGTH = 40


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret: str  # the full key, shown once
    key_hash: str


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> NewKey:
    prefix = f"{KEY_SCHEME}_{_random(_ID_LENGTH)}"
    secret = f"{prefix}_{_random(_SECRET_LENGTH)}"
    return NewKey(prefix=prefix, secret=secret, key_hash=hash_key(secret))


def prefix_of(key: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like one of ours."""
    parts = key.split("_")
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        return None
    if len(parts[1]) != _ID_LENGTH or len(parts[2]) != _SECRET_LENGTH:
        return None
    if not all(part.isascii() and part.isalnum() for part in parts[1:]):
        return None  # not one of ours: never worth a lookup
    return f"{parts[0]}_{parts[1]}"


def matches(key: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), key_hash)
