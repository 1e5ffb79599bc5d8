"""Encryption of secrets at rest (provider credentials, webhook signing secrets, SIP passwords).

Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package) with a key derived from
CALLROUTE_SECRET_KEY by HKDF, so the operator can use any long random string as the setting.
A value encrypted under another key fails loudly instead of decrypting to garbage.

The key can be rotated: values are always encrypted with the current key, and decrypted with
the current key or any of CALLROUTE_PREVIOUS_SECRET_KEYS (a ``MultiFernet``), so a process
configured with both reads what was written before and after the change, until
``callroute secret-key rotate`` has re-encrypted everything under the current key.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from callroute.errors import ConfigError

_INFO = b"callroute secrets at rest v1"


@dataclass(frozen=True)
class SecretKeys:
    """The keys of a process: ``current`` encrypts and decrypts; ``previous`` (older keys,
    during a rotation) only decrypt. Immutable and hashable, so decryptions can be cached by
    it; ``Settings.secret_keys()`` builds it from the settings."""

    current: str
    previous: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # Never the keys themselves: this object travels through contexts that get logged.
        return f"SecretKeys(current=..., previous={len(self.previous)})"


class UndecryptableSecret(ConfigError):
    """A stored value that none of the configured keys opens; ``reason`` says which keys."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"a stored secret cannot be decrypted: {reason}")
        self.reason = reason


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


@lru_cache(maxsize=8)
def _keyring(keys: SecretKeys) -> MultiFernet:
    # The current key first: MultiFernet encrypts with the first and tries them in order.
    return MultiFernet([_fernet(keys.current), *(_fernet(key) for key in keys.previous)])


def encrypt(keys: SecretKeys, plaintext: str) -> str:
    return _fernet(keys.current).encrypt(plaintext.encode()).decode()


def decrypt(keys: SecretKeys, token: str) -> str:
    try:
        return _keyring(keys).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(_undecryptable(keys)) from exc


def reencrypt(keys: SecretKeys, token: str) -> str | None:
    """``token`` encrypted with the current key, or None when it already is (so that a second
    rotation changes nothing); an error when no configured key opens it."""
    try:
        _fernet(keys.current).decrypt(token.encode())
        return None
    except InvalidToken:
        pass
    try:
        return _keyring(keys).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(_undecryptable(keys)) from exc


def _undecryptable(keys: SecretKeys) -> str:
    if keys.previous:
        return (
            "neither CALLROUTE_SECRET_KEY nor any of CALLROUTE_PREVIOUS_SECRET_KEYS is the key "
            "it was encrypted with"
        )
    return (
        "CALLROUTE_SECRET_KEY differs from the key it was encrypted with; set "
        "CALLROUTE_PREVIOUS_SECRET_KEYS during a rotation"
    )
