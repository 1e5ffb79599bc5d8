"""The rows "who is on call" is answered from, read for one project."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.models import ScheduleOverride

M = TypeVar("M")


class DirectoryRepository:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    async def overrides(
        self, schedule_ids: Iterable[uuid.UUID], start: datetime, end: datetime
    ) -> list[ScheduleOverride]:
        """The schedules' overrides that overlap [start, end), through the
        (schedule_id, ends_at) index."""
        ids = list(schedule_ids)
        if not ids:
            return []
        rows = await self.session.scalars(
            select(ScheduleOverride).where(
                ScheduleOverride.project_id == self.project_id,
                ScheduleOverride.schedule_id.in_(ids),
                ScheduleOverride.ends_at > start,
                ScheduleOverride.starts_at < end,
            )
        )
        return list(rows.all())

    async def among(self, model: type[M], ids: set[uuid.UUID]) -> list[M]:
        """The project's rows of ``model`` whose ids are among ``ids``."""
        if not ids:
            return []
        columns = cast(Any, model)  # Team, Schedule, Member: all project-scoped
        rows = await self.session.scalars(
            select(model).where(columns.project_id == self.project_id, columns.id.in_(ids))
        )
        return list(rows.all())
