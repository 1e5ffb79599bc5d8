"""Encryption of secrets at rest (provider credentials, webhook signing secrets).

Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package) with a key derived from
CALLROUTE_SECRET_KEY by HKDF, so the operator can use any long random string as the setting.
A value encrypted under another key fails loudly instead of decrypting to garbage.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from callroute.errors import ConfigError

_INFO = b"callroute secrets at rest v1"


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(secret_key: str, plaintext: str) -> str:
    return _fernet(secret_key).encrypt(plaintext.encode()).decode()


def decrypt(secret_key: str, token: str) -> str:
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ConfigError(
            "a stored secret cannot be decrypted: CALLROUTE_SECRET_KEY differs from the key "
            "it was encrypted with"
        ) from exc
