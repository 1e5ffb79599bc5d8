"""CALLROUTE_PREVIOUS_SECRET_KEYS and the keyring it makes: what decrypts, what encrypts."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

import callroute.models  # noqa: F401  (every table on Base.metadata)
from callroute import crypto
from callroute.config import Settings, load_settings
from callroute.crypto import SecretKeys, UndecryptableSecret
from callroute.db.base import Base
from callroute.errors import ConfigError
from callroute.key_rotation.repository import ENCRYPTED_COLUMNS

A = "a" * 40
B = "b" * 40
C = "c" * 40
PG = "postgresql://h/db"


def test_previous_keys_are_comma_separated_and_empty_by_default() -> None:
    assert Settings(database_url=PG, secret_key=B).secret_keys() == SecretKeys(B, ())
    # Spaces and a trailing comma are what people type; the current key and repeats add nothing.
    settings = Settings(database_url=PG, secret_key=B, previous_secret_keys=f" {A} ,{C},{A},{B},")
    assert settings.secret_keys() == SecretKeys(B, (A, C))


def test_a_short_previous_key_is_one_clear_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    short = "not-long-enough"
    monkeypatch.setenv("CALLROUTE_DATABASE_URL", PG)
    monkeypatch.setenv("CALLROUTE_SECRET_KEY", B)
    monkeypatch.setenv("CALLROUTE_PREVIOUS_SECRET_KEYS", f"{A},{short}")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("CALLROUTE_PREVIOUS_SECRET_KEYS: ")
    assert "key 2 of 2 is shorter than 32 characters" in message
    assert short not in message  # a key is never printed
    assert A not in message
    with pytest.raises(ValidationError, match="key 1 of 1 is shorter") as direct:
        Settings(database_url=PG, secret_key=B, previous_secret_keys=short)
    assert short not in str(direct.value)


def test_previous_keys_decrypt_but_only_the_current_key_encrypts() -> None:
    under_a = crypto.encrypt(SecretKeys(A), "auth token")
    rotating = SecretKeys(B, (A,))
    assert crypto.decrypt(rotating, under_a) == "auth token"
    written = crypto.encrypt(rotating, "new token")
    assert crypto.decrypt(SecretKeys(B), written) == "new token"
    with pytest.raises(UndecryptableSecret):
        crypto.decrypt(SecretKeys(A), written)


def test_reencrypt_moves_a_value_to_the_current_key_once() -> None:
    under_a = crypto.encrypt(SecretKeys(A), "signing secret")
    rotating = SecretKeys(B, (A,))
    moved = crypto.reencrypt(rotating, under_a)
    assert moved is not None
    assert crypto.decrypt(SecretKeys(B), moved) == "signing secret"
    assert crypto.reencrypt(rotating, moved) is None  # already under B: left as it is
    with pytest.raises(UndecryptableSecret):
        crypto.reencrypt(SecretKeys(B, (C,)), under_a)


def test_an_undecryptable_value_says_which_setting_to_look_at() -> None:
    under_a = crypto.encrypt(SecretKeys(A), "x")
    with pytest.raises(ConfigError) as alone:
        crypto.decrypt(SecretKeys(B), under_a)
    assert str(alone.value) == (
        "a stored secret cannot be decrypted: CALLROUTE_SECRET_KEY differs from the key it was "
        "encrypted with; set CALLROUTE_PREVIOUS_SECRET_KEYS during a rotation"
    )
    with pytest.raises(ConfigError, match="nor any of CALLROUTE_PREVIOUS_SECRET_KEYS"):
        crypto.decrypt(SecretKeys(B, (C,)), under_a)


def test_the_keyring_never_shows_its_keys() -> None:
    keys = SecretKeys(B, (A, C))
    for key in (A, B, C):
        assert key not in repr(keys)
        assert key not in str(keys)
    assert "previous=2" in repr(keys)


def test_every_column_that_looks_secret_is_rotated() -> None:
    """A column added to hold a secret must be listed in ENCRYPTED_COLUMNS, or
    `callroute secret-key rotate` would leave it under the old key."""
    rotated = {(column.table, column.attribute) for column in ENCRYPTED_COLUMNS}
    # One-way hashes and per-session random values: nothing to decrypt, nothing to rotate.
    not_encrypted = {
        ("members", "password_hash"),  # argon2id
        ("console_sessions", "token_hash"),  # SHA-256 of the cookie's token
        ("console_sessions", "csrf_token"),  # random, dies with its session
    }
    looks_secret = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if re.search(r"secret|password|token|credential|cipher|encrypt", column.name)
    } - not_encrypted
    assert looks_secret <= rotated, looks_secret - rotated
    assert rotated <= looks_secret  # and the list names real columns
