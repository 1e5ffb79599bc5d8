from __future__ import annotations

import uuid
from typing import Any

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Alert


class AlertRepository(ScopedRepository[Alert]):
    model = Alert

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Alert]:
        stmt = self.scoped()
        if "status" in filters:
            stmt = stmt.where(Alert.status == filters["status"])
        if "router_id" in filters:
            stmt = stmt.where(Alert.router_id == filters["router_id"])
        if "created_after" in filters:
            stmt = stmt.where(Alert.created_at >= filters["created_after"])
        if "created_before" in filters:
            stmt = stmt.where(Alert.created_at < filters["created_before"])
        return await paginate(
            self.session,
            stmt,
            id_column=Alert.id,
            sort_columns={"created_at": Alert.created_at},
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def for_call(self, call_id: uuid.UUID) -> Alert | None:
        """A call raises one alert at most."""
        alert: Alert | None = await self.session.scalar(
            self.scoped().where(Alert.call_id == call_id)
        )
        return alert
