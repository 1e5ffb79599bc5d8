from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import ApiKey

_KEYS = ApiKey.__table__
# Every request reads its key: a Core statement, built once (see calls/repository.py).
_BY_PREFIX = select(
    _KEYS.c.id,
    _KEYS.c.project_id,
    _KEYS.c.prefix,
    _KEYS.c.key_hash,
    _KEYS.c.role,
    _KEYS.c.permissions,
    _KEYS.c.expires_at,
    _KEYS.c.revoked_at,
    _KEYS.c.last_used_at,
).where(_KEYS.c.prefix == bindparam("prefix"))


@dataclass(frozen=True)
class KeyRecord:
    """What authentication reads of a key."""

    id: uuid.UUID
    project_id: uuid.UUID
    prefix: str
    key_hash: str
    role: str | None
    permissions: list[str] | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyLookup:
    """The one unscoped read of API keys: authentication, before the project is known."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_prefix(self, prefix: str) -> KeyRecord | None:
        connection = await self.session.connection()
        row = (await connection.execute(_BY_PREFIX, {"prefix": prefix})).first()
        return None if row is None else KeyRecord(*row)

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
        )


class ApiKeyRepository(ScopedRepository[ApiKey]):
    model = ApiKey
    sort_columns = {"created_at": ApiKey.created_at, "name": ApiKey.name}

    async def working(self, now: datetime) -> list[ApiKey]:
        """The keys that authenticate at ``now``: neither revoked nor expired."""
        stmt = self.scoped().where(
            ApiKey.revoked_at.is_(None),
            (ApiKey.expires_at.is_(None)) | (ApiKey.expires_at > now),
        )
        return list((await self.session.scalars(stmt)).all())

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        """The project's key with this visible prefix (what operators see and paste)."""
        row: ApiKey | None = await self.session.scalar(self.scoped().where(ApiKey.prefix == prefix))
        return row

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[ApiKey]:
        stmt = self.scoped()
        if "revoked" in filters:
            revoked = ApiKey.revoked_at.is_not(None)
            stmt = stmt.where(revoked if filters["revoked"] else ~revoked)
        if "role" in filters:
            stmt = stmt.where(ApiKey.role == filters["role"])
        return await paginate(
            self.session,
            stmt,
            id_column=ApiKey.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
