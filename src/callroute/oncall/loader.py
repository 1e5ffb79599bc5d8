"""Read what the engine needs to answer "who is on call" from one project's rows.

Only the overrides that overlap the asked-for window are loaded, through the
(schedule_id, ends_at) index, so a schedule with years of history answers as fast as a new one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.escalation import Directory, PolicySpec, TargetKind
from callroute.engine.schedule import CompiledSchedule, compile_schedule
from callroute.models import Member, Project, Schedule, ScheduleOverride, Team
from callroute.oncall.repository import DirectoryRepository
from callroute.oncall.specs import member_contact, schedule_spec

# Overrides loaded around a single instant: enough to cover it, nothing more.
_INSTANT_WINDOW = timedelta(seconds=1)


class DirectoryLoader:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id
        self.rows = DirectoryRepository(session, project_id)

    async def compiled(
        self, schedules: Iterable[Schedule], start: datetime, end: datetime
    ) -> dict[uuid.UUID, CompiledSchedule]:
        schedules = list(schedules)
        overrides = await self.rows.overrides((s.id for s in schedules), start, end)
        by_schedule: dict[uuid.UUID, list[ScheduleOverride]] = {s.id: [] for s in schedules}
        for override in overrides:
            by_schedule[override.schedule_id].append(override)
        return {s.id: compile_schedule(schedule_spec(s, by_schedule[s.id])) for s in schedules}

    async def directory(
        self, policy: PolicySpec, at: datetime, until: datetime | None = None
    ) -> Directory:
        """Everything :func:`resolve_policy` needs for ``policy`` at ``at``, in few queries.

        With ``until``, the directory answers for any instant of [at, until): every override
        overlapping the window is loaded, and every member a schedule could put on call in it
        (all its rotation members and override members), not only whoever is on call at ``at``.
        """
        wanted = {kind: set[uuid.UUID]() for kind in TargetKind}
        for level in policy.levels:
            for target in level.targets:
                wanted[target.kind].add(target.id)
        teams = await self.rows.among(Team, wanted[TargetKind.TEAM])
        schedules = await self.rows.among(Schedule, wanted[TargetKind.SCHEDULE])
        end = until if until is not None else at + _INSTANT_WINDOW
        compiled = await self.compiled(schedules, at - _INSTANT_WINDOW, end)
        member_ids = set(wanted[TargetKind.MEMBER])
        for team in teams:
            member_ids.update(team.member_ids)
        for schedule in compiled.values():
            if until is None:
                on_call = schedule.on_call_at(at)
                member_ids.update([on_call] if on_call is not None else [])
            else:
                member_ids.update(_who_could_be_on_call(schedule))
        members = await self.rows.among(Member, member_ids)
        project = await self.session.get(Project, self.project_id)
        return Directory(
            members={m.id: member_contact(m) for m in members},
            teams={t.id: tuple(t.member_ids) for t in teams},
            schedules=compiled,
            require_verified=bool(project and project.require_verified_numbers),
        )


def _who_could_be_on_call(schedule: CompiledSchedule) -> set[uuid.UUID]:
    spec = schedule.spec
    return {m for layer in spec.layers for m in layer.members} | {
        o.member_id for o in spec.overrides
    }
