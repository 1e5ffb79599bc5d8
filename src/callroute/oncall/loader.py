"""Read what the engine needs to answer "who is on call" from one project's rows.

Only the overrides that overlap the asked-for window are loaded, through the
(schedule_id, ends_at) index, so a schedule with years of history answers as fast as a new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.escalation import Directory, PolicySpec, TargetKind
from callroute.engine.schedule import CompiledSchedule, compile_schedule
from callroute.models import Member, Project, Schedule, ScheduleOverride, Team
from callroute.oncall.specs import member_contact, schedule_spec

M = TypeVar("M")

# Overrides loaded around a single instant: enough to cover it, nothing more.
_INSTANT_WINDOW = timedelta(seconds=1)


class DirectoryLoader:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    async def overrides(
        self, schedule_ids: Iterable[uuid.UUID], start: datetime, end: datetime
    ) -> list[ScheduleOverride]:
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

    async def compiled(
        self, schedules: Iterable[Schedule], start: datetime, end: datetime
    ) -> dict[uuid.UUID, CompiledSchedule]:
        schedules = list(schedules)
        overrides = await self.overrides((s.id for s in schedules), start, end)
        by_schedule: dict[uuid.UUID, list[ScheduleOverride]] = {s.id: [] for s in schedules}
        for override in overrides:
            by_schedule[override.schedule_id].append(override)
        return {s.id: compile_schedule(schedule_spec(s, by_schedule[s.id])) for s in schedules}

    async def directory(self, policy: PolicySpec, at: datetime) -> Directory:
        """Everything :func:`resolve_policy` needs for ``policy`` at ``at``, in few queries."""
        wanted = {kind: set[uuid.UUID]() for kind in TargetKind}
        for level in policy.levels:
            for target in level.targets:
                wanted[target.kind].add(target.id)
        teams = await self._scoped(Team, wanted[TargetKind.TEAM])
        schedules = await self._scoped(Schedule, wanted[TargetKind.SCHEDULE])
        compiled = await self.compiled(schedules, at - _INSTANT_WINDOW, at + _INSTANT_WINDOW)
        member_ids = set(wanted[TargetKind.MEMBER])
        for team in teams:
            member_ids.update(team.member_ids)
        for schedule in compiled.values():
            on_call = schedule.on_call_at(at)
            if on_call is not None:
                member_ids.add(on_call)
        members = await self._scoped(Member, member_ids)
        project = await self.session.get(Project, self.project_id)
        return Directory(
            members={m.id: member_contact(m) for m in members},
            teams={t.id: tuple(t.member_ids) for t in teams},
            schedules=compiled,
            require_verified=bool(project and project.require_verified_numbers),
        )

    async def _scoped(self, model: type[M], ids: set[uuid.UUID]) -> list[M]:
        if not ids:
            return []
        columns = cast(Any, model)  # Team, Schedule, Member: all project-scoped
        rows = await self.session.scalars(
            select(model).where(columns.project_id == self.project_id, columns.id.in_(ids))
        )
        return list(rows.all())
