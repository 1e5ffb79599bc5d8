"""What the on-call page shows for each schedule of a project (who is on call now and until
when, who is next and from when, the shifts of today and the 13 days after it, cut at the
schedule's local midnights) and the override its form adds.

Every answer comes from ``ScheduleService``, the API's own reader (layers, restrictions and
overrides included), and the form's override goes through the API's own ``add_override``, so
the page can never disagree with the API; this module only lays the answers out in the
schedule's time zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.console.oncall_repository import RosterRepository
from callroute.errors import ValidationFailed
from callroute.models import Member, Schedule
from callroute.schedules.repository import ScheduleRepository
from callroute.schedules.schemas import OverrideIn
from callroute.schedules.service import NamedShift, ScheduleService
from callroute.validation import validation_failed

# The permission of the API's override endpoint (POST /api/v1/schedules/{id}/overrides).
WRITE_PERMISSION = "schedules:write"
TIMELINE_DAYS = 14
OVERRIDE_FIELDS = ("member_id", "start", "end")
DEFAULT_OVERRIDE = timedelta(hours=1)
COLOURS = 6  # CSS classes c0..c5: a person keeps one colour on every day's bar


def moment(value: datetime) -> str:
    """``Tue 3 Mar, 09:00 EST``: an instant as read in the zone ``value`` is in."""
    return f"{value:%a} {value.day} {value:%b}, {value:%H:%M %Z}"


@dataclass(frozen=True)
class Turn:
    """Someone's turn: ``at`` is when it ends (on call now) or begins (next), local."""

    name: str
    at: datetime

    @property
    def label(self) -> str:
        return moment(self.at)


@dataclass(frozen=True)
class Piece:
    """A stretch of one day with one person on call, or nobody (``name`` None)."""

    start: datetime  # local
    end: datetime  # local
    from_label: str  # "09:00"
    to_label: str  # "24:00" when it lasts to the end of the day
    name: str | None
    colour: int
    offset: int  # minutes from the day's start, and length: where it sits on the day's bar
    minutes: int
    now: bool


@dataclass(frozen=True)
class Day:
    start: datetime  # local midnight
    minutes: int  # 1440, or 1380 / 1500 on the days the clocks change
    pieces: tuple[Piece, ...]
    now_offset: int | None  # today: minutes from midnight to now

    @property
    def label(self) -> str:
        return f"{self.start:%a} {self.start.day} {self.start:%b}"


@dataclass
class ScheduleView:
    id: uuid.UUID
    name: str
    time_zone: str
    now: Turn | None
    next: Turn | None
    days: list[Day]
    form_start: str  # the form's defaults: from this minute, for an hour (datetime-local)
    form_end: str


@dataclass
class OnCallPage:
    schedules: list[ScheduleView]
    members: list[tuple[uuid.UUID, str]]


@dataclass
class Attempt:
    """An override form that was refused: what was typed, and the API's message per field
    (``""``: a message about no one field)."""

    schedule_id: str
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


async def page(session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> OnCallPage:
    members = await RosterRepository(session, project_id).names()
    colours = {member_id: i % COLOURS for i, (member_id, _name) in enumerate(members)}
    schedules = ScheduleService(session, project_id, clock)
    now = clock.now()
    views = [
        await _view(schedules, schedule, colours, now)
        for schedule in await ScheduleRepository(session, project_id).all()
    ]
    return OnCallPage(views, members)


async def add_override(
    session: AsyncSession,
    project_id: uuid.UUID,
    clock: Clock,
    schedule_ref: str,
    fields: dict[str, str],
) -> uuid.UUID:
    """The form's override, through the API's validation: start and end are the
    ``datetime-local`` values, read in the schedule's time zone. Returns the schedule's id."""
    schedules = ScheduleService(session, project_id, clock)
    schedule = await schedules.get(schedule_ref)
    zone = ZoneInfo(schedule.time_zone)
    body: dict[str, str | datetime] = {
        "member_id": fields.get("member_id", ""),
        "start": _instant(fields.get("start", ""), zone, "start"),
        "end": _instant(fields.get("end", ""), zone, "end"),
    }
    try:
        data = OverrideIn.model_validate(body)
    except PydanticValidationError as exc:
        raise validation_failed(exc.errors()) from exc
    await schedules.add_override(str(schedule.id), data)
    return schedule.id


def attempt_of(schedule_ref: str, fields: dict[str, str], exc: ValidationFailed) -> Attempt:
    values = {name: fields.get(name, "") for name in OVERRIDE_FIELDS}
    found = [(d["field"], f"{d['field']}: {d['message']}") for d in exc.details or []]
    errors: dict[str, str] = {}
    for name, message in found or [(exc.field, exc.message)]:
        errors.setdefault(name if name in OVERRIDE_FIELDS else "", message)
    return Attempt(schedule_ref, values, errors)


# -- laying out the answers --------------------------------------------------------------------


async def _view(
    schedules: ScheduleService, schedule: Schedule, colours: dict[uuid.UUID, int], now: datetime
) -> ScheduleView:
    zone = ZoneInfo(schedule.time_zone)
    ref = str(schedule.id)
    today = now.astimezone(zone).date()
    shifts = await schedules.shifts(
        ref, _midnight(today, zone), _midnight(today + timedelta(days=TIMELINE_DAYS), zone)
    )
    _at, current = await schedules.on_call(ref, now)
    following = None
    if current is not None:  # the API's answer at the instant the current turn ends
        _at, following = await schedules.on_call(ref, current.end)
    if following is None:  # a gap first: the first shift after it, as the API renders it
        after = current.end if current is not None else now
        following = next((s for s in shifts if s.start >= after), None)
    start = now.replace(second=0, microsecond=0)
    return ScheduleView(
        id=schedule.id,
        name=schedule.name,
        time_zone=schedule.time_zone,
        now=_turn(current, current.end, zone) if current else None,
        next=_turn(following, following.start, zone) if following else None,
        days=[
            _day(today + timedelta(days=i), zone, shifts, colours, now)
            for i in range(TIMELINE_DAYS)
        ],
        form_start=_local_input(start, zone),
        form_end=_local_input(start + DEFAULT_OVERRIDE, zone),
    )


def _turn(shift: NamedShift, at: datetime, zone: ZoneInfo) -> Turn:
    return Turn(shift.member.name, at.astimezone(zone))


def _day(
    day: date,
    zone: ZoneInfo,
    shifts: list[NamedShift],
    colours: dict[uuid.UUID, int],
    now: datetime,
) -> Day:
    """``day`` from local midnight to local midnight, every minute of it someone's or
    nobody's. Instants are compared and subtracted in UTC: Python subtracts two datetimes of
    one zone by their wall clocks, which is wrong across a change of the clocks."""
    lo, hi = _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
    stretches: list[tuple[datetime, datetime, Member | None]] = []
    cursor = lo
    for shift in shifts:
        begin, end = max(shift.start, lo), min(shift.end, hi)
        if begin >= end:
            continue
        if cursor < begin:
            stretches.append((cursor, begin, None))
        stretches.append((begin, end, shift.member))
        cursor = end
    if cursor < hi:
        stretches.append((cursor, hi, None))
    pieces = tuple(
        Piece(
            start=begin.astimezone(zone),
            end=end.astimezone(zone),
            from_label=f"{begin.astimezone(zone):%H:%M}",
            to_label="24:00" if end == hi else f"{end.astimezone(zone):%H:%M}",
            name=member.name if member else None,
            colour=colours.get(member.id, 0) if member else 0,
            offset=_minutes(begin - lo),
            minutes=_minutes(end - begin),
            now=begin <= now < end,
        )
        for begin, end, member in stretches
    )
    return Day(
        start=lo.astimezone(zone),
        minutes=_minutes(hi - lo),
        pieces=pieces,
        now_offset=_minutes(now - lo) if lo <= now < hi else None,
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _local_input(value: datetime, zone: ZoneInfo) -> str:
    return f"{value.astimezone(zone):%Y-%m-%dT%H:%M}"


def _instant(text: str, zone: ZoneInfo, name: str) -> str | datetime:
    """A ``datetime-local`` value as the instant it names in ``zone``. A wall-clock time
    that happens twice (the clocks go back) is the first of the two; one that never happens
    (the clocks go forward) is refused rather than moved. Anything else is left for the
    API's validation to name."""
    try:
        wall = datetime.fromisoformat(text)
    except ValueError:
        return text
    if wall.tzinfo is not None:
        return wall
    local = wall.replace(tzinfo=zone)
    try:
        exists = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    except OverflowError:  # outside the years the API takes, which its validation says
        return local
    if not exists:
        raise ValidationFailed(
            f"{name}: {wall:%Y-%m-%d %H:%M} does not exist in {zone.key}"
            " (the clocks go forward then)",
            field=name,
        )
    return local
