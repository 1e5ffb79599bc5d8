"""Wall-clock arithmetic behind schedules: local instants, rotation handoffs, restriction windows.

Everything here returns aware UTC datetimes. Local wall-clock times become instants the way
zoneinfo does it with ``fold=0``: a time inside a spring-forward gap lands after the gap, an
ambiguous autumn time is its first occurrence. Dates are handled as proleptic ordinals so the
repeating patterns (every day, every Monday, every 14 days) are plain integer arithmetic.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

FAR_PAST = datetime.min.replace(tzinfo=UTC)
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
_MAX_ORDINAL = date.max.toordinal()
_ZERO = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)

Interval = tuple[datetime, datetime]
Piece = tuple[datetime, datetime, UUID]  # who is on call from begin (inclusive) to end

# Offsets of two instants a few days apart differ by at most a day (the largest jump in tzdb, in
# Samoa, is exactly 24h), so a window can only hold an instant if it starts within a couple of
# days of that instant's local date. These margins are deliberately wider than that bound.
_CONTAINS_MARGIN_DAYS = 3
_RENDER_MARGIN_DAYS = 4


def wall_time(value: time) -> time:
    """The time as a plain wall-clock reading: the fold is ours to choose (always 0)."""
    return value.replace(fold=0)


def local_instant(zone: ZoneInfo, ordinal: int, wall: time, extra: timedelta = _ZERO) -> datetime:
    """The UTC instant when the local clock reads date ``ordinal`` at ``wall`` plus ``extra``.

    ``extra`` is added to the wall-clock reading before localising, so a nine-hour window from
    09:00 ends at 18:00 local even on a day that is 23 or 25 hours long. Results beyond the
    calendar's range saturate to FAR_PAST / FAR_FUTURE, which keeps absurd rotation lengths from
    crashing and still sorts correctly.
    """
    if ordinal < 1:
        return FAR_PAST
    if ordinal > _MAX_ORDINAL:
        return FAR_FUTURE
    try:
        naive = datetime.combine(date.fromordinal(ordinal), wall) + extra
        return naive.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError:
        return FAR_FUTURE if ordinal > _MAX_ORDINAL // 2 else FAR_PAST


def local_ordinal(zone: ZoneInfo, at: datetime) -> int:
    """The proleptic ordinal of ``at``'s local date in ``zone``."""
    try:
        return at.astimezone(zone).toordinal()
    except OverflowError:
        return _MAX_ORDINAL if at.year > 5000 else 1


class Rotation(Protocol):
    """A layer's handoffs. Shift 0 starts at the layer start, shift k >= 1 at handoff(k)."""

    def handoff(self, k: int) -> datetime: ...

    def index_at(self, at: datetime, ordinal: int) -> int:
        """The largest k >= 0 with handoff(k) <= at (shift 0 counts as starting at -infinity).

        ``at`` is UTC and not before the layer start; ``ordinal`` is its local date.
        """
        ...


class HourlyRotation:
    """Handoffs every ``hours`` of absolute time: DST changes shift them on the local clock."""

    __slots__ = ("start", "step_us")

    def __init__(self, start: datetime, hours: int) -> None:
        self.start = start
        # Integer microseconds, not a timedelta: a rotation length too long for timedelta still
        # validates, and simply never hands off.
        self.step_us = hours * 3_600_000_000

    def handoff(self, k: int) -> datetime:
        try:
            return self.start + timedelta(microseconds=k * self.step_us)
        except OverflowError:
            return FAR_FUTURE

    def index_at(self, at: datetime, ordinal: int) -> int:
        return ((at - self.start) // _MICROSECOND) // self.step_us


class WallClockRotation:
    """Handoffs at a fixed local time every ``period_days`` local days after ``anchor``."""

    __slots__ = ("anchor", "period_days", "wall", "zone")

    def __init__(self, zone: ZoneInfo, anchor: int, period_days: int, wall: time) -> None:
        self.zone = zone
        self.anchor = anchor
        self.period_days = period_days
        self.wall = wall_time(wall)

    def handoff(self, k: int) -> datetime:
        return local_instant(self.zone, self.anchor + k * self.period_days, self.wall)

    def index_at(self, at: datetime, ordinal: int) -> int:
        # The local date gives k to within one; the handoff instants settle it. Handoffs never
        # decrease (a day's step can only be cancelled by a full 24h jump, never reversed), so
        # these loops find the largest k, skipping any shift a skipped local day made empty.
        k = max(0, (ordinal - self.anchor) // self.period_days)
        while k >= 1 and self.handoff(k) > at:
            k -= 1
        while self.handoff(k + 1) <= at:
            k += 1
        return k


def rotation_shifts(
    rotation: Rotation, lo: datetime, hi: datetime, ordinal_lo: int
) -> Iterator[tuple[int, datetime, datetime]]:
    """``(k, begin, end)`` for every non-empty shift meeting [lo, hi), clipped to it.

    ``lo`` must not be before the layer start, for the same reason as ``index_at``.
    """
    k = rotation.index_at(lo, ordinal_lo)
    begin = lo
    while begin < hi:
        end = min(rotation.handoff(k + 1), hi)
        if end > begin:
            yield k, begin, end
            begin = end
        k += 1


class WindowRule:
    """A local wall-clock window repeating every ``period_days``.

    Window i starts at ``wall`` on local date ordinal ``i * period_days + phase`` and lasts
    ``duration`` of wall-clock time. Proleptic ordinal 1 is a Monday, so weekly windows on
    weekday d use phase 1 + d.
    """

    __slots__ = ("duration", "period_days", "phase", "wall", "zone")

    def __init__(
        self, zone: ZoneInfo, period_days: int, phase: int, wall: time, duration: timedelta
    ) -> None:
        self.zone = zone
        self.period_days = period_days
        self.phase = phase
        self.wall = wall_time(wall)
        self.duration = duration

    def _start(self, i: int) -> datetime:
        return local_instant(self.zone, i * self.period_days + self.phase, self.wall)

    def _end(self, i: int) -> datetime:
        ordinal = i * self.period_days + self.phase
        return local_instant(self.zone, ordinal, self.wall, self.duration)

    def _indices(self, first_ordinal: int, last_ordinal: int) -> range:
        """Windows starting on a local date in [first_ordinal, last_ordinal]."""
        first = -((self.phase - first_ordinal) // self.period_days)
        last = (last_ordinal - self.phase) // self.period_days
        return range(first, last + 1)

    def contains(self, at: datetime, ordinal: int) -> bool:
        span = self.period_days + _CONTAINS_MARGIN_DAYS
        candidates = self._indices(ordinal - span, ordinal + _CONTAINS_MARGIN_DAYS)
        # Latest first: windows starting after ``at`` are rejected with one conversion.
        return any(self._start(i) <= at < self._end(i) for i in reversed(candidates))

    def windows(
        self, lo: datetime, hi: datetime, ordinal_lo: int, ordinal_hi: int
    ) -> list[Interval]:
        """Every non-empty window meeting [lo, hi), clipped to it, in start order."""
        span = self.period_days + _RENDER_MARGIN_DAYS
        out: list[Interval] = []
        for i in self._indices(ordinal_lo - span, ordinal_hi + _RENDER_MARGIN_DAYS):
            begin = max(self._start(i), lo)
            end = min(self._end(i), hi)
            if begin < end:
                out.append((begin, end))
        return out


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """The union as sorted, disjoint intervals; touching intervals become one."""
    merged: list[Interval] = []
    for begin, end in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def intersect(pieces: list[Piece], windows: list[Interval]) -> list[Piece]:
    """The parts of sorted, disjoint ``pieces`` inside sorted, disjoint ``windows``."""
    out: list[Piece] = []
    i = j = 0
    while i < len(pieces) and j < len(windows):
        p_begin, p_end, member = pieces[i]
        w_begin, w_end = windows[j]
        begin, end = max(p_begin, w_begin), min(p_end, w_end)
        if begin < end:
            out.append((begin, end, member))
        if p_end <= w_end:
            i += 1
        else:
            j += 1
    return out


def append_merged(out: list[Piece], begin: datetime, end: datetime, member: UUID) -> None:
    """Append, extending the last piece instead when it is the same member and touches."""
    if out and out[-1][1] == begin and out[-1][2] == member:
        out[-1] = (out[-1][0], end, member)
    else:
        out.append((begin, end, member))


def flatten_by_precedence(spans: Sequence[Piece]) -> list[Piece]:
    """Possibly overlapping spans as sorted, disjoint pieces; where they overlap, the later wins."""
    ordered = sorted((begin, end, i, member) for i, (begin, end, member) in enumerate(spans))
    bounds = sorted({t for begin, end, _, _ in ordered for t in (begin, end)})
    active: list[tuple[int, datetime, UUID]] = []  # (-index, end, member): a max-heap on index
    out: list[Piece] = []
    nxt = 0
    for begin, end in pairwise(bounds):
        while nxt < len(ordered) and ordered[nxt][0] <= begin:
            _, span_end, index, member = ordered[nxt]
            heapq.heappush(active, (-index, span_end, member))
            nxt += 1
        # Expired entries below the top cannot win while the top is live, so dropping them
        # only when they surface is enough.
        while active and active[0][1] <= begin:
            heapq.heappop(active)
        if active:
            append_merged(out, begin, end, active[0][2])
    return out
