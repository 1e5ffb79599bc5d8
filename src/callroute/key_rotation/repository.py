"""Every value encrypted at rest, in every project.

Rotating the key is one operation over the whole database, so this repository is deliberately
not project-scoped. A new encrypted column must be listed in ``ENCRYPTED_COLUMNS``, or the
rotation leaves it under the old key (tests/integration/test_key_rotation.py checks the list
against the tables' columns).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.models import ProviderConnection, SipTrunk, WebhookSubscription


@dataclass(frozen=True)
class EncryptedColumn:
    kind: str  # what the operator reads in the command's output
    model: type[Any]
    attribute: str
    json_object: bool  # {"name": token, ...} (a JSON column), or one token (a text column)

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)


ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    # webhook_secret, auth_token, api_key_secret
    EncryptedColumn("connection secrets", ProviderConnection, "secrets", json_object=True),
    EncryptedColumn("SIP trunk passwords", SipTrunk, "secrets", json_object=True),
    EncryptedColumn("webhook signing secrets", WebhookSubscription, "secret", json_object=False),
)


class EncryptedValueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def batch(
        self, column: EncryptedColumn, after: uuid.UUID | None, limit: int
    ) -> list[tuple[uuid.UUID, Any]]:
        """(id, stored value) of up to ``limit`` rows with ids after ``after``, in id order,
        locked until the transaction ends: a secret changed meanwhile through the API must
        not be overwritten by its older value, re-encrypted (SQLite's writers are serialised
        by BEGIN IMMEDIATE instead)."""
        model = column.model
        stmt = select(model.id, getattr(model, column.attribute)).order_by(model.id).limit(limit)
        if after is not None:
            stmt = stmt.where(model.id > after)
        rows = await self.session.execute(stmt.with_for_update())
        return [(row[0], row[1]) for row in rows]

    async def store(self, column: EncryptedColumn, values: dict[uuid.UUID, Any]) -> None:
        """Write the new stored values, by primary key (``updated_at`` stays: nothing a user
        set has changed). Through the session, so the configuration revision moves."""
        if values:
            await self.session.execute(
                update(column.model),
                [{"id": row_id, column.attribute: value} for row_id, value in values.items()],
            )
