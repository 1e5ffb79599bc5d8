"""Re-encrypting every stored secret with the current key, after CALLROUTE_SECRET_KEY changed
(the old key in CALLROUTE_PREVIOUS_SECRET_KEYS until this has run)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute import crypto
from callroute.crypto import SecretKeys, UndecryptableSecret
from callroute.errors import ConfigError
from callroute.key_rotation.repository import (
    ENCRYPTED_COLUMNS,
    EncryptedColumn,
    EncryptedValueRepository,
)

# The transaction is rolled back: what was re-encrypted before the failure is not kept.
_NOTHING = "nothing was re-encrypted"


@dataclass(frozen=True)
class Rotated:
    """What the rotation did to one kind of secret."""

    kind: str
    reencrypted: int  # values that were under a previous key and now are under the current one
    current: int  # values already under the current key, left as they were


class KeyRotationService:
    """Walks every encrypted column in id order, ``batch`` rows at a time, all in the caller's
    transaction (the CLI commits once, at the end). So a value that no configured key opens
    fails the whole rotation and nothing is changed; and values already under the current key
    are left alone, so a second run re-encrypts nothing. Secrets are few (one to three per
    connection, trunk or subscription), so the one transaction stays short."""

    def __init__(self, session: AsyncSession, keys: SecretKeys, *, batch: int = 500) -> None:
        self.repo = EncryptedValueRepository(session)
        self.keys = keys
        self.batch = batch

    async def rotate(self) -> list[Rotated]:
        return [await self._rotate_column(column) for column in ENCRYPTED_COLUMNS]

    async def _rotate_column(self, column: EncryptedColumn) -> Rotated:
        reencrypted = current = 0
        after: uuid.UUID | None = None
        while rows := await self.repo.batch(column, after, self.batch):
            changed: dict[uuid.UUID, Any] = {}
            for row_id, stored in rows:
                tokens = _tokens(column, stored)
                rotated = {
                    name: new
                    for name, token in tokens.items()
                    if (new := self._reencrypt(_where(column, row_id, name), token)) is not None
                }
                reencrypted += len(rotated)
                current += len(tokens) - len(rotated)
                if rotated:
                    changed[row_id] = {**stored, **rotated} if column.json_object else rotated[""]
            await self.repo.store(column, changed)
            after = rows[-1][0]
        return Rotated(column.kind, reencrypted, current)

    def _reencrypt(self, where: str, token: object) -> str | None:
        if not isinstance(token, str):
            raise ConfigError(f"cannot decrypt {where}: it is not an encrypted value; {_NOTHING}")
        try:
            return crypto.reencrypt(self.keys, token)
        except UndecryptableSecret as exc:
            raise ConfigError(f"cannot decrypt {where}: {exc.reason}; {_NOTHING}") from exc


def _tokens(column: EncryptedColumn, stored: Any) -> dict[str, Any]:
    """A row's encrypted values by name ("" for a text column's one value); an empty string
    means nothing is stored under that name, so there is nothing to re-encrypt."""
    tokens = dict(stored or {}) if column.json_object else {"": stored}
    return {name: token for name, token in tokens.items() if token != ""}


def _where(column: EncryptedColumn, row_id: uuid.UUID, name: str) -> str:
    field = f"{column.attribute}.{name}" if column.json_object else column.attribute
    return f"{column.table} row {row_id} ({field})"
