from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Schedule, ScheduleLayer, ScheduleLayerMember, ScheduleOverride


class ScheduleRepository(ScopedRepository[Schedule]):
    model = Schedule
    sort_columns = {"created_at": Schedule.created_at, "name": Schedule.name}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Schedule]:
        stmt = self.scoped()
        if "name" in filters:
            stmt = stmt.where(Schedule.name == filters["name"])
        if "member_id" in filters:
            rotating = (
                select(ScheduleLayer.schedule_id)
                .join(ScheduleLayerMember, ScheduleLayerMember.layer_id == ScheduleLayer.id)
                .where(ScheduleLayerMember.member_id == filters["member_id"])
            )
            stmt = stmt.where(Schedule.id.in_(rotating))
        return await paginate(
            self.session,
            stmt,
            id_column=Schedule.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def all(self) -> list[Schedule]:
        return list((await self.session.scalars(self.scoped().order_by(Schedule.name))).all())


class OverrideRepository(ScopedRepository[ScheduleOverride]):
    model = ScheduleOverride
    sort_columns = {
        "created_at": ScheduleOverride.created_at,
        "starts_at": ScheduleOverride.starts_at,
    }

    async def page(
        self,
        schedule_id: uuid.UUID,
        filters: dict[str, Any],
        sort: SortSpec,
        cursor: Cursor | None,
        limit: int,
    ) -> PageResult[ScheduleOverride]:
        stmt = self.scoped().where(ScheduleOverride.schedule_id == schedule_id)
        if "member_id" in filters:
            stmt = stmt.where(ScheduleOverride.member_id == filters["member_id"])
        if "ends_after" in filters:
            stmt = stmt.where(ScheduleOverride.ends_at > filters["ends_after"])
        if "starts_before" in filters:
            stmt = stmt.where(ScheduleOverride.starts_at < filters["starts_before"])
        return await paginate(
            self.session,
            stmt,
            id_column=ScheduleOverride.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
