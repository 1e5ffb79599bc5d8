from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import PhoneNumber


class NumberRepository(ScopedRepository[PhoneNumber]):
    model = PhoneNumber
    sort_columns = {"created_at": PhoneNumber.created_at, "number": PhoneNumber.number}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[PhoneNumber]:
        stmt = self.scoped()
        for name, column in (
            ("connection_id", PhoneNumber.connection_id),
            ("router_id", PhoneNumber.router_id),
            ("owner_id", PhoneNumber.owner_id),
            ("country", PhoneNumber.country),
            ("type", PhoneNumber.number_type),
        ):
            if name in filters:
                stmt = stmt.where(column == filters[name])
        if "assigned" in filters:
            assigned = PhoneNumber.router_id.is_not(None)
            stmt = stmt.where(assigned if filters["assigned"] else ~assigned)
        return await paginate(
            self.session,
            stmt,
            id_column=PhoneNumber.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def in_use(self, numbers: Collection[str]) -> set[str]:
        """Which of ``numbers`` some project holds: a number has one owner across projects,
        so this one query is not limited to the project."""
        if not numbers:
            return set()
        rows = await self.session.scalars(
            select(PhoneNumber.number).where(PhoneNumber.number.in_(numbers))
        )
        return set(rows.all())

    async def by_number(self, number: str) -> PhoneNumber | None:
        row: PhoneNumber | None = await self.session.scalar(
            self.scoped().where(PhoneNumber.number == number)
        )
        return row

    async def a_routed_number(self) -> str | None:
        """One of the project's numbers that a router answers, if any."""
        number: str | None = await self.session.scalar(
            select(PhoneNumber.number)
            .where(PhoneNumber.project_id == self.project_id, PhoneNumber.router_id.is_not(None))
            .limit(1)
        )
        return number
