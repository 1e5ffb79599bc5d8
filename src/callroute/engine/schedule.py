"""Who is on call: schedules as layered rotations with restrictions and overrides.

A schedule is data (frozen dataclasses); :func:`compile_schedule` turns it into a
:class:`CompiledSchedule` that answers "who is on call at this instant" without rendering a
timeline, and renders timelines for display. The time is always a parameter. Inputs may be in any
zone; every datetime this module returns is aware UTC.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callroute.engine.timewindows import (
    FAR_FUTURE,
    HourlyRotation,
    Piece,
    Rotation,
    WallClockRotation,
    WindowRule,
    append_merged,
    flatten_by_precedence,
    intersect,
    local_ordinal,
    merge_intervals,
    rotation_shifts,
)
from callroute.errors import CallrouteError

MAX_RENDER_RANGE = timedelta(days=366)

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


class RotationUnit(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"


class RestrictionKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class Restriction:
    kind: RestrictionKind
    start_time: time  # local wall-clock time in the schedule's zone
    duration: timedelta  # DAILY: (0, 24h]; WEEKLY: (0, 7 days]; may wrap past midnight / Sunday
    start_day: int | None = None  # WEEKLY only: 0=Monday..6=Sunday


@dataclass(frozen=True)
class Layer:
    start: datetime
    rotation_length: int
    rotation_unit: RotationUnit
    members: tuple[UUID, ...]  # rotation order; a member may appear more than once
    handoff_time: time | None = None  # local; DAYS/WEEKS only
    restrictions: tuple[Restriction, ...] = ()  # empty = always applies
    end: datetime | None = None


@dataclass(frozen=True)
class Override:
    member_id: UUID
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ScheduleSpec:
    time_zone: str  # IANA name
    layers: tuple[Layer, ...]  # later layers win over earlier ones
    overrides: tuple[Override, ...] = ()  # win over layers; later overrides win over earlier ones


@dataclass(frozen=True)
class Shift:
    member_id: UUID
    start: datetime  # aware UTC, inclusive
    end: datetime  # aware UTC, exclusive


class ScheduleError(CallrouteError):
    """An invalid schedule or request; ``field`` is a path such as ``layers[1].rotation_length``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _naive(value: datetime) -> bool:
    return value.tzinfo is None or value.utcoffset() is None


def _before(a: datetime, b: datetime) -> bool:
    # In UTC: two datetimes sharing a tzinfo compare by wall clock, fold ignored, so 01:40 EDT
    # would count as after the 01:00 EST that follows it.
    return a.astimezone(UTC) < b.astimezone(UTC)


def _check_restriction(r: Restriction, path: str) -> list[ScheduleError]:
    errors: list[ScheduleError] = []
    if r.kind not in tuple(RestrictionKind):
        errors.append(ScheduleError(f"{path}.kind", "must be 'daily' or 'weekly'"))
        return errors
    if r.start_time.tzinfo is not None:
        errors.append(ScheduleError(f"{path}.start_time", "must be a local time without a zone"))
    limit = _DAY if r.kind == RestrictionKind.DAILY else _WEEK
    if not timedelta(0) < r.duration <= limit:
        span = "24 hours" if r.kind == RestrictionKind.DAILY else "7 days"
        errors.append(ScheduleError(f"{path}.duration", f"must be more than 0 and at most {span}"))
    if r.kind == RestrictionKind.WEEKLY:
        if r.start_day is None:
            errors.append(ScheduleError(f"{path}.start_day", "is required for weekly restrictions"))
        elif not 0 <= r.start_day <= 6:
            errors.append(ScheduleError(f"{path}.start_day", "must be 0 (Monday) to 6 (Sunday)"))
    elif r.start_day is not None:
        errors.append(ScheduleError(f"{path}.start_day", "must be empty for daily restrictions"))
    return errors


def _check_layer(layer: Layer, path: str) -> list[ScheduleError]:
    errors: list[ScheduleError] = []
    if _naive(layer.start):
        errors.append(ScheduleError(f"{path}.start", "must be timezone-aware"))
    if layer.end is not None:
        if _naive(layer.end):
            errors.append(ScheduleError(f"{path}.end", "must be timezone-aware"))
        elif not _naive(layer.start) and not _before(layer.start, layer.end):
            errors.append(ScheduleError(f"{path}.end", "must be after start"))
    if layer.rotation_length < 1:
        errors.append(ScheduleError(f"{path}.rotation_length", "must be at least 1"))
    if layer.rotation_unit not in tuple(RotationUnit):
        errors.append(ScheduleError(f"{path}.rotation_unit", "must be hours, days or weeks"))
    elif layer.rotation_unit == RotationUnit.HOURS:
        if layer.handoff_time is not None:
            errors.append(ScheduleError(f"{path}.handoff_time", "must be empty for hourly"))
    elif layer.handoff_time is None:
        errors.append(ScheduleError(f"{path}.handoff_time", "is required for days and weeks"))
    elif layer.handoff_time.tzinfo is not None:
        errors.append(ScheduleError(f"{path}.handoff_time", "must be a local time without a zone"))
    if not layer.members:
        errors.append(ScheduleError(f"{path}.members", "must have at least one member"))
    for j, restriction in enumerate(layer.restrictions):
        errors.extend(_check_restriction(restriction, f"{path}.restrictions[{j}]"))
    return errors


def schedule_errors(spec: ScheduleSpec) -> list[ScheduleError]:
    """Every problem with ``spec``, in field order (empty when valid)."""
    errors: list[ScheduleError] = []
    try:
        ZoneInfo(spec.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        errors.append(ScheduleError("time_zone", f"unknown time zone {spec.time_zone!r}"))
    for i, layer in enumerate(spec.layers):
        errors.extend(_check_layer(layer, f"layers[{i}]"))
    for i, override in enumerate(spec.overrides):
        path = f"overrides[{i}]"
        if _naive(override.start):
            errors.append(ScheduleError(f"{path}.start", "must be timezone-aware"))
        if _naive(override.end):
            errors.append(ScheduleError(f"{path}.end", "must be timezone-aware"))
        elif not _naive(override.start) and not _before(override.start, override.end):
            errors.append(ScheduleError(f"{path}.end", "must be after start"))
    return errors


def validate(spec: ScheduleSpec) -> None:
    """Raise the first problem with ``spec`` as a :class:`ScheduleError`."""
    errors = schedule_errors(spec)
    if errors:
        raise errors[0]


def _utc(value: datetime, field: str) -> datetime:
    if _naive(value):
        raise ScheduleError(field, "must be timezone-aware")
    return value.astimezone(UTC)


def _check_range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    lo, hi = _utc(start, "from"), _utc(end, "to")
    if hi <= lo:
        raise ScheduleError("to", "must be after from")
    if hi - lo > MAX_RENDER_RANGE:
        raise ScheduleError("to", f"range must be at most {MAX_RENDER_RANGE.days} days")
    return lo, hi


class _CompiledLayer:
    __slots__ = ("end", "members", "rotation", "rules", "start", "zone")

    def __init__(self, layer: Layer, zone: ZoneInfo) -> None:
        self.zone = zone
        self.start = layer.start.astimezone(UTC)
        self.end = FAR_FUTURE if layer.end is None else layer.end.astimezone(UTC)
        self.members = layer.members
        self.rotation: Rotation
        if layer.rotation_unit == RotationUnit.HOURS:
            self.rotation = HourlyRotation(self.start, layer.rotation_length)
        else:
            assert layer.handoff_time is not None  # guaranteed by validate()
            days = layer.rotation_length * (7 if layer.rotation_unit == RotationUnit.WEEKS else 1)
            anchor = local_ordinal(zone, self.start)
            self.rotation = WallClockRotation(zone, anchor, days, layer.handoff_time)
        self.rules = tuple(
            WindowRule(zone, 1, 0, r.start_time, r.duration)
            if r.kind == RestrictionKind.DAILY
            else WindowRule(zone, 7, 1 + (r.start_day or 0), r.start_time, r.duration)
            for r in layer.restrictions
        )

    def member_at(self, at: datetime, ordinal: int) -> UUID | None:
        if not self.start <= at < self.end:
            return None
        if self.rules and not any(rule.contains(at, ordinal) for rule in self.rules):
            return None
        return self.members[self.rotation.index_at(at, ordinal) % len(self.members)]

    def pieces(self, lo: datetime, hi: datetime) -> list[Piece]:
        """Rotation shifts within [lo, hi), cut to the restriction windows, in order."""
        lo, hi = max(lo, self.start), min(hi, self.end)
        if lo >= hi:
            return []
        ordinal_lo = local_ordinal(self.zone, lo)
        n = len(self.members)
        shifts = [
            (begin, end, self.members[k % n])
            for k, begin, end in rotation_shifts(self.rotation, lo, hi, ordinal_lo)
        ]
        if not self.rules:
            return shifts
        ordinal_hi = local_ordinal(self.zone, hi)
        windows = merge_intervals(
            w for rule in self.rules for w in rule.windows(lo, hi, ordinal_lo, ordinal_hi)
        )
        return intersect(shifts, windows)


class CompiledSchedule:
    """A validated schedule with everything precomputed that lookups need."""

    __slots__ = ("_layers", "_ov_ends", "_ov_members", "_ov_starts", "spec", "zone")

    def __init__(self, spec: ScheduleSpec) -> None:
        validate(spec)
        self.spec = spec
        self.zone = ZoneInfo(spec.time_zone)
        self._layers = tuple(_CompiledLayer(layer, self.zone) for layer in spec.layers)
        flat = flatten_by_precedence(
            [(o.start.astimezone(UTC), o.end.astimezone(UTC), o.member_id) for o in spec.overrides]
        )
        self._ov_starts = [begin for begin, _, _ in flat]
        self._ov_ends = [end for _, end, _ in flat]
        self._ov_members = [member for _, _, member in flat]

    def on_call_at(self, at: datetime) -> UUID | None:
        """Who is on call at the instant ``at`` (aware, any zone)."""
        t = _utc(at, "at")
        i = bisect_right(self._ov_starts, t) - 1
        if i >= 0 and t < self._ov_ends[i]:
            return self._ov_members[i]
        ordinal = local_ordinal(self.zone, t)
        for layer in reversed(self._layers):
            member = layer.member_at(t, ordinal)
            if member is not None:
                return member
        return None

    def render_layer(self, index: int, start: datetime, end: datetime) -> list[Shift]:
        """Layer ``index`` alone in [start, end): rotation shifts cut at restriction windows."""
        lo, hi = _check_range(start, end)
        if not 0 <= index < len(self._layers):
            raise ScheduleError("index", f"no layer {index}")
        return [Shift(m, b, e) for b, e, m in self._layers[index].pieces(lo, hi)]

    def render(self, start: datetime, end: datetime) -> list[Shift]:
        """The final timeline in [start, end): one Shift per unbroken stretch of one member."""
        lo, hi = _check_range(start, end)
        layers = [layer.pieces(lo, hi) for layer in self._layers]
        first = bisect_right(self._ov_ends, lo)
        last = bisect_left(self._ov_starts, hi)
        overrides = [
            (max(b, lo), min(e, hi), m)
            for b, e, m in zip(
                self._ov_starts[first:last],
                self._ov_ends[first:last],
                self._ov_members[first:last],
                strict=True,
            )
        ]
        bounds = sorted(
            {lo, hi} | {t for pieces in (*layers, overrides) for b, e, _ in pieces for t in (b, e)}
        )
        # One cursor per source: pieces are sorted and disjoint, and segments are visited in
        # order, so each cursor only moves forward.
        sources = [overrides, *reversed(layers)]
        cursors = [0] * len(sources)
        out: list[Piece] = []
        for begin, end in pairwise(bounds):
            for s, pieces in enumerate(sources):
                c = cursors[s]
                while c < len(pieces) and pieces[c][1] <= begin:
                    c += 1
                cursors[s] = c
                if c < len(pieces) and pieces[c][0] <= begin:
                    append_merged(out, begin, end, pieces[c][2])
                    break
        return [Shift(m, b, e) for b, e, m in out]


def compile_schedule(spec: ScheduleSpec) -> CompiledSchedule:
    """Validate ``spec`` (raising :class:`ScheduleError`) and precompute it for fast lookups."""
    return CompiledSchedule(spec)


def on_call_at(spec: ScheduleSpec, at: datetime) -> UUID | None:
    """Who is on call at ``at``; compile once with :func:`compile_schedule` for repeated lookups."""
    return compile_schedule(spec).on_call_at(at)


def render(spec: ScheduleSpec, start: datetime, end: datetime) -> list[Shift]:
    return compile_schedule(spec).render(start, end)


def render_layer(spec: ScheduleSpec, index: int, start: datetime, end: datetime) -> list[Shift]:
    return compile_schedule(spec).render_layer(index, start, end)
