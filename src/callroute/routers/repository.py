from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from callroute.db.dialect import dialect_of, json_array_contains
from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import PhoneNumber, Router


class RouterRepository(ScopedRepository[Router]):
    model = Router
    sort_columns = {"created_at": Router.created_at, "name": Router.name}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Router]:
        stmt = self.scoped()
        for name in ("name", "enabled"):
            if name in filters:
                stmt = stmt.where(getattr(Router, name) == filters[name])
        if "label" in filters:
            label = filters["label"].strip().lower()
            stmt = stmt.where(json_array_contains(dialect_of(self.session), Router.labels, label))
        return await paginate(
            self.session,
            stmt,
            id_column=Router.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def by_slug(self, slug: str) -> Router | None:
        row: Router | None = await self.session.scalar(self.scoped().where(Router.slug == slug))
        return row

    async def numbers_of(self, router_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[PhoneNumber]]:
        found: dict[uuid.UUID, list[PhoneNumber]] = {rid: [] for rid in router_ids}
        if router_ids:
            rows = await self.session.scalars(
                select(PhoneNumber)
                .where(
                    PhoneNumber.project_id == self.project_id, PhoneNumber.router_id.in_(router_ids)
                )
                .order_by(PhoneNumber.number)
            )
            for number in rows:
                assert number.router_id is not None
                found[number.router_id].append(number)
        return found

    async def numbers_routed_by(self, router_id: uuid.UUID) -> list[PhoneNumber]:
        rows = await self.session.scalars(
            select(PhoneNumber).where(PhoneNumber.router_id == router_id)
        )
        return list(rows.all())
