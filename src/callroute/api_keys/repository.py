from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.api.pagination import Cursor, SortSpec
from callroute.db.pagination import PageResult, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import ApiKey


class ApiKeyLookup:
    """The one unscoped read of API keys: authentication, before the project is known."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        key: ApiKey | None = await self.session.scalar(
            select(ApiKey).where(ApiKey.prefix == prefix)
        )
        return key

    async def touch(self, key_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
        )


class ApiKeyRepository(ScopedRepository[ApiKey]):
    model = ApiKey
    sort_columns = {"created_at": ApiKey.created_at, "name": ApiKey.name}

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
