from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, or_, select

from callroute.api.pagination import Cursor, SortSpec
from callroute.calls.schemas import HANDLEABLE_STATUSES
from callroute.db.pagination import PageResult, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Call, CallEvent, CallLeg, Recording
from callroute.models.call import CallOrigin

_HANDLEABLE = sorted(status.value for status in HANDLEABLE_STATUSES)


class CallRepository(ScopedRepository[Call]):
    model = Call
    sort_columns = {"started_at": Call.started_at}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Call]:
        stmt = self.scoped()
        if "router_id" in filters:
            stmt = stmt.where(Call.router_id == filters["router_id"])
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
        if "member_id" in filters:
            stmt = stmt.where(Call.member_id == filters["member_id"])
        if "origin" in filters:
            stmt = stmt.where(Call.origin == filters["origin"])
        if "handled" in filters:
            stmt = stmt.where(
                Call.handled_at.is_not(None)
                if filters["handled"]
                else and_(Call.handled_at.is_(None), Call.status.in_(_HANDLEABLE))
            )
        return await paginate(
            self.session,
            stmt,
            id_column=Call.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def logged_by_provider_id(self, provider: str, provider_call_id: str) -> Call | None:
        row: Call | None = await self.session.scalar(
            self.scoped().where(
                Call.origin == CallOrigin.LOGGED.value,
                Call.provider == provider,
                Call.provider_call_id == provider_call_id,
            )
        )
        return row

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
