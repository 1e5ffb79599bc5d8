from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.engine.schedule import (
    MAX_RENDER_RANGE,
    CompiledSchedule,
    Layer,
    Restriction,
    ScheduleError,
    ScheduleSpec,
    Shift,
    schedule_errors,
)
from callroute.errors import NotFound, ValidationFailed
from callroute.integrity.repository import Reference
from callroute.integrity.service import IntegrityService
from callroute.members.repository import MemberRepository
from callroute.models import Member, Schedule, ScheduleLayer, ScheduleLayerMember, ScheduleOverride
from callroute.oncall.loader import DirectoryLoader
from callroute.oncall.specs import WEEKDAYS
from callroute.schedules.calendar import CalendarShift, render_calendar
from callroute.schedules.repository import OverrideRepository, ScheduleRepository
from callroute.schedules.schemas import (
    LayerIn,
    OverrideIn,
    OverrideListQuery,
    ScheduleCreate,
    ScheduleListQuery,
    ScheduleUpdate,
)
from callroute.validation import found, reject_nulls, require_existing, require_unique_name

DEFAULT_CALENDAR_PAST = timedelta(days=7)
DEFAULT_CALENDAR_FUTURE = timedelta(days=90)
MAX_OVERRIDE_LENGTH = timedelta(days=366)
# The engine speaks of `members` and `duration`; the API of `member_ids` and `duration_minutes`.
_FIELD_NAMES = ((r"\.members\b", ".member_ids"), (r"\.duration\b", ".duration_minutes"))


@dataclass(frozen=True)
class NamedShift:
    member: Member
    start: datetime
    end: datetime


def _clock_text(value: time) -> str:
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def layer_spec_of(layer: LayerIn) -> Layer:
    return Layer(
        start=layer.start,
        end=layer.end,
        rotation_length=layer.rotation_length,
        rotation_unit=layer.rotation_unit,
        members=tuple(layer.member_ids),
        handoff_time=layer.handoff_time,
        restrictions=tuple(
            Restriction(
                kind=r.kind,
                start_time=r.start_time,
                duration=timedelta(minutes=r.duration_minutes),
                start_day=WEEKDAYS.index(r.start_day) if r.start_day else None,
            )
            for r in layer.restrictions
        ),
    )


def _api_error(error: ScheduleError) -> ValidationFailed:
    field = error.field
    for pattern, replacement in _FIELD_NAMES:
        field = re.sub(pattern, replacement, field)
    return ValidationFailed(f"{field}: {error.message}", field=field)


class ScheduleService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.repo = ScheduleRepository(session, project_id)
        self.overrides = OverrideRepository(session, project_id)
        self.members = MemberRepository(session, project_id)
        self.loader = DirectoryLoader(session, project_id)
        self.project_id = project_id
        self.clock = clock

    # -- schedules ---------------------------------------------------------------------------

    async def create(self, data: ScheduleCreate) -> Schedule:
        await require_unique_name(self.repo, data.name, None, "schedule")
        await self._check_layers(data.time_zone, data.layers)
        now = self.clock.now()
        schedule = Schedule(
            project_id=self.project_id,
            name=data.name,
            description=data.description,
            time_zone=data.time_zone,
            created_at=now,
            updated_at=now,
        )
        schedule.layers = _layers(data.layers)
        self.repo.add(schedule)
        await self.session.flush()
        return schedule

    async def get(self, schedule_ref: str) -> Schedule:
        return await found(self.repo, schedule_ref, "schedule")

    async def page(self, query: ScheduleListQuery) -> PageResult[Schedule]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, schedule_ref: str, data: ScheduleUpdate) -> Schedule:
        schedule = await self.get(schedule_ref)
        reject_nulls(data)
        if data.name is not None and data.name != schedule.name:
            await require_unique_name(self.repo, data.name, schedule.id, "schedule")
            schedule.name = data.name
        if data.description is not None:
            schedule.description = data.description
        time_zone = data.time_zone or schedule.time_zone
        if data.layers is not None:
            await self._check_layers(time_zone, data.layers)
            schedule.layers = []
            await self.session.flush()
            schedule.layers = _layers(data.layers)
        schedule.time_zone = time_zone
        schedule.updated_at = self.clock.now()
        await self.session.flush()
        return schedule

    async def delete(self, schedule_ref: str, *, force: bool) -> tuple[uuid.UUID, list[Reference]]:
        schedule = await self.get(schedule_ref)
        removed = await IntegrityService(self.session, self.project_id).release(
            "schedule", schedule.id, f"schedule {schedule.name!r}", force=force
        )
        await self.repo.delete(schedule)
        return schedule.id, removed

    # -- overrides ---------------------------------------------------------------------------

    async def add_override(self, schedule_ref: str, data: OverrideIn) -> ScheduleOverride:
        schedule = await self.get(schedule_ref)
        if data.end <= data.start:
            raise ValidationFailed("end: must be after start", field="end")
        if data.end - data.start > MAX_OVERRIDE_LENGTH:
            raise ValidationFailed("end: an override lasts at most 366 days", field="end")
        await require_existing(self.members, [("member_id", data.member_id)], "member")
        override = ScheduleOverride(
            project_id=self.project_id,
            schedule_id=schedule.id,
            member_id=data.member_id,
            starts_at=data.start,
            ends_at=data.end,
            created_at=self.clock.now(),
        )
        self.overrides.add(override)
        await self.session.flush()
        return override

    async def list_overrides(
        self, schedule_ref: str, query: OverrideListQuery
    ) -> PageResult[ScheduleOverride]:
        schedule = await self.get(schedule_ref)
        return await self.overrides.page(
            schedule.id, query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def delete_override(self, schedule_ref: str, override_ref: str) -> None:
        schedule = await self.get(schedule_ref)
        override = await self.overrides.by_ref(override_ref)
        if override is None or override.schedule_id != schedule.id:
            raise NotFound(f"no override {override_ref!r} on this schedule")
        await self.overrides.delete(override)

    # -- who is on call ----------------------------------------------------------------------

    async def on_call(
        self, schedule_ref: str, at: datetime | None
    ) -> tuple[datetime, NamedShift | None]:
        """Who is on call at ``at`` (default now), with the whole shift that covers it."""
        schedule = await self.get(schedule_ref)
        moment = at or self.clock.now()
        reach = timedelta(days=7)
        while True:
            compiled = await self._compiled(schedule, moment - reach, moment + reach)
            covering = [
                s
                for s in compiled.render(moment - reach, moment + reach)
                if s.start <= moment < s.end
            ]
            if not covering:
                return moment, None
            shift = covering[0]
            edge = shift.start == moment - reach or shift.end == moment + reach
            if not edge or reach * 4 > MAX_RENDER_RANGE:
                named = await self._named([shift])
                return moment, named[0]
            reach *= 2

    async def shifts(self, schedule_ref: str, start: datetime, end: datetime) -> list[NamedShift]:
        schedule = await self.get(schedule_ref)
        return await self._named(await self._render(schedule, start, end))

    async def calendar(
        self, schedule_ref: str, start: datetime | None, end: datetime | None
    ) -> bytes:
        schedule = await self.get(schedule_ref)
        start, end = self._calendar_range(start, end)
        shifts = await self._named(await self._render(schedule, start, end))
        events = [
            CalendarShift(
                uid=f"{schedule.id}-{s.member.id}-{int(s.start.timestamp())}@callroute",
                summary=f"{s.member.name} on call ({schedule.name})",
                start=s.start,
                end=s.end,
            )
            for s in shifts
        ]
        return render_calendar(schedule.name, events, self.clock.now())

    async def member_calendar(
        self, member_ref: str, start: datetime | None, end: datetime | None
    ) -> bytes:
        member = await found(self.members, member_ref, "member")
        start, end = self._calendar_range(start, end)
        events = []
        for schedule in await self.repo.all():
            for shift in await self._render(schedule, start, end):
                if shift.member_id == member.id:
                    events.append(
                        CalendarShift(
                            uid=f"{schedule.id}-{member.id}-{int(shift.start.timestamp())}@callroute",
                            summary=f"On call: {schedule.name}",
                            start=shift.start,
                            end=shift.end,
                        )
                    )
        events.sort(key=lambda e: e.start)
        return render_calendar(f"{member.name}: on call", events, self.clock.now())

    # -- helpers -----------------------------------------------------------------------------

    def _calendar_range(
        self, start: datetime | None, end: datetime | None
    ) -> tuple[datetime, datetime]:
        now = self.clock.now()
        return start or now - DEFAULT_CALENDAR_PAST, end or now + DEFAULT_CALENDAR_FUTURE

    async def _compiled(
        self, schedule: Schedule, start: datetime, end: datetime
    ) -> CompiledSchedule:
        return (await self.loader.compiled([schedule], start, end))[schedule.id]

    async def _render(self, schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
        if end <= start:
            raise ValidationFailed("to: must be after from", field="to")
        if end - start > MAX_RENDER_RANGE:
            raise ValidationFailed(
                f"to: at most {MAX_RENDER_RANGE.days} days after from", field="to"
            )
        return (await self._compiled(schedule, start, end)).render(start, end)

    async def _named(self, shifts: list[Shift]) -> list[NamedShift]:
        ids = {s.member_id for s in shifts}
        members = {m.id: m for m in await self.members.among(ids)}
        return [
            NamedShift(members[s.member_id], s.start, s.end)
            for s in shifts
            if s.member_id in members
        ]

    async def _check_layers(self, time_zone: str, layers: list[LayerIn]) -> None:
        spec = ScheduleSpec(time_zone=time_zone, layers=tuple(layer_spec_of(x) for x in layers))
        errors = schedule_errors(spec)
        if errors:
            raise _api_error(errors[0])
        await require_existing(
            self.members,
            [
                (f"layers[{i}].member_ids[{j}]", m)
                for i, layer in enumerate(layers)
                for j, m in enumerate(layer.member_ids)
            ],
            "member",
        )


def _layers(layers: list[LayerIn]) -> list[ScheduleLayer]:
    built = []
    for position, layer in enumerate(layers):
        row = ScheduleLayer(
            position=position,
            name=layer.name or f"Layer {position + 1}",
            starts_at=layer.start,
            ends_at=layer.end,
            rotation_length=layer.rotation_length,
            rotation_unit=layer.rotation_unit.value,
            handoff_time=_clock_text(layer.handoff_time) if layer.handoff_time else None,
            restrictions=[
                {
                    "kind": r.kind.value,
                    "start_time": _clock_text(r.start_time),
                    "duration_minutes": r.duration_minutes,
                    "start_day": r.start_day.value if r.start_day else None,
                }
                for r in layer.restrictions
            ],
        )
        row.members = [
            ScheduleLayerMember(position=i, member_id=m) for i, m in enumerate(layer.member_ids)
        ]
        built.append(row)
    return built
