from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import (
    EscalationLevel,
    EscalationPolicy,
    EscalationTarget,
    Member,
    Schedule,
    Team,
)


class TargetRepository(ScopedRepository[Member | Team | Schedule]):
    """The project's members, teams or schedules (one model each): what a level may target."""

    def __init__(
        self, session: AsyncSession, project_id: uuid.UUID, model: type[Member | Team | Schedule]
    ) -> None:
        super().__init__(session, project_id)
        self.model = model  # type: ignore[misc]


class PolicyRepository(ScopedRepository[EscalationPolicy]):
    model = EscalationPolicy
    sort_columns = {"created_at": EscalationPolicy.created_at, "name": EscalationPolicy.name}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[EscalationPolicy]:
        stmt = self.scoped()
        if "name" in filters:
            stmt = stmt.where(EscalationPolicy.name == filters["name"])
        if "target_id" in filters:
            target = filters["target_id"]
            targeting = (
                select(EscalationLevel.policy_id)
                .join(EscalationTarget, EscalationTarget.level_id == EscalationLevel.id)
                .where(
                    or_(
                        EscalationTarget.member_id == target,
                        EscalationTarget.team_id == target,
                        EscalationTarget.schedule_id == target,
                    )
                )
            )
            stmt = stmt.where(EscalationPolicy.id.in_(targeting))
        return await paginate(
            self.session,
            stmt,
            id_column=EscalationPolicy.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
