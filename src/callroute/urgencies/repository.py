from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Urgency


class UrgencyRepository(ScopedRepository[Urgency]):
    model = Urgency
    sort_columns = {
        "position": Urgency.position,
        "name": Urgency.name,
        "created_at": Urgency.created_at,
    }

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Urgency]:
        stmt = self.scoped()
        if "built_in" in filters:
            stmt = stmt.where(Urgency.built_in == filters["built_in"])
        if "slug" in filters:
            stmt = stmt.where(Urgency.slug == filters["slug"])
        return await paginate(
            self.session,
            stmt,
            id_column=Urgency.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def by_slug(self, slug: str) -> Urgency | None:
        row: Urgency | None = await self.session.scalar(self.scoped().where(Urgency.slug == slug))
        return row

    async def next_position(self) -> int:
        highest = await self.session.scalar(
            select(func.max(Urgency.position)).where(Urgency.project_id == self.project_id)
        )
        return 0 if highest is None else int(highest) + 1
