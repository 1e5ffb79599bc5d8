from __future__ import annotations

from typing import Any

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Service


class ServiceRepository(ScopedRepository[Service]):
    model = Service
    sort_columns = {"created_at": Service.created_at, "name": Service.name}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Service]:
        stmt = self.scoped()
        for name in ("kind", "name", "escalation_policy_id"):
            if name in filters:
                stmt = stmt.where(getattr(Service, name) == filters[name])
        return await paginate(
            self.session,
            stmt,
            id_column=Service.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
