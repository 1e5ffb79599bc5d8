from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select

from callroute.api.pagination import Cursor, SortSpec
from callroute.db.pagination import PageResult, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Call, CallEvent, CallLeg, Recording


class CallRepository(ScopedRepository[Call]):
    model = Call
    sort_columns = {"started_at": Call.started_at}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Call]:
        stmt = self.scoped()
        if "router_id" in filters:
            stmt = stmt.where(Call.router_id == filters["router_id"])
        if "direction" in filters:
            stmt = stmt.where(Call.direction == filters["direction"])
        if "status" in filters:
            stmt = stmt.where(Call.status == filters["status"])
        if "number" in filters:
            stmt = stmt.where(
                or_(Call.from_number == filters["number"], Call.to_number == filters["number"])
            )
        if "started_after" in filters:
            stmt = stmt.where(Call.started_at >= filters["started_after"])
        if "started_before" in filters:
            stmt = stmt.where(Call.started_at < filters["started_before"])
        if "answered_by" in filters:
            stmt = stmt.where(Call.answered_by_id == filters["answered_by"])
        return await paginate(
            self.session,
            stmt,
            id_column=Call.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def legs(self, call_id: uuid.UUID) -> list[CallLeg]:
        rows = await self.session.scalars(
            select(CallLeg)
            .where(CallLeg.project_id == self.project_id, CallLeg.call_id == call_id)
            .order_by(CallLeg.started_at, CallLeg.leg_key)
        )
        return list(rows.all())

    async def recordings(self, call_id: uuid.UUID) -> list[Recording]:
        rows = await self.session.scalars(
            select(Recording)
            .where(Recording.project_id == self.project_id, Recording.call_id == call_id)
            .order_by(Recording.created_at)
        )
        return list(rows.all())

    async def events(
        self,
        call_id: uuid.UUID,
        filters: dict[str, Any],
        sort: SortSpec,
        cursor: Cursor | None,
        limit: int,
    ) -> PageResult[CallEvent]:
        stmt = select(CallEvent).where(
            CallEvent.project_id == self.project_id, CallEvent.call_id == call_id
        )
        if "kind" in filters:
            stmt = stmt.where(CallEvent.kind == filters["kind"])
        return await paginate(
            self.session,
            stmt,
            id_column=CallEvent.id,
            sort_columns={"sequence": CallEvent.sequence},
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
