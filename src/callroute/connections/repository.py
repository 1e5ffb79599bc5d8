from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import PhoneNumber, ProviderConnection, Router


class ConnectionRepository(ScopedRepository[ProviderConnection]):
    model = ProviderConnection
    sort_columns = {"created_at": ProviderConnection.created_at, "name": ProviderConnection.name}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[ProviderConnection]:
        stmt = self.scoped()
        if "kind" in filters:
            stmt = stmt.where(ProviderConnection.kind == filters["kind"])
        return await paginate(
            self.session,
            stmt,
            id_column=ProviderConnection.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def count_enabled(self) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(
                self.scoped().where(ProviderConnection.enabled).subquery()
            )
        )
        return int(count or 0)

    async def count_numbers(self, connection_id: uuid.UUID) -> int:
        """The phone numbers the connection owns (a connection is the project's own)."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(PhoneNumber)
            .where(PhoneNumber.connection_id == connection_id)
        )
        return int(count or 0)

    async def first_router(self, connection_id: uuid.UUID) -> Router | None:
        """A router that calls through the connection, the first by name."""
        router: Router | None = await self.session.scalar(
            select(Router)
            .where(Router.connection_id == connection_id)
            .order_by(Router.name)
            .limit(1)
        )
        return router
