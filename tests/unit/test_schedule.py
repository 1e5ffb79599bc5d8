"""Worked examples for the schedule engine: rotations, DST, restrictions, precedence, errors."""

from __future__ import annotations

import bisect
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from bench.bench_oncall import benchmark_schedule

from callroute.engine.schedule import (
    MAX_RENDER_RANGE,
    Layer,
    Override,
    Restriction,
    RestrictionKind,
    RotationUnit,
    ScheduleError,
    ScheduleSpec,
    Shift,
    compile_schedule,
    on_call_at,
    render,
    render_layer,
    schedule_errors,
    validate,
)

NY = ZoneInfo("America/New_York")
A = UUID(int=0xA)
B = UUID(int=0xB)
C = UUID(int=0xC)
D = UUID(int=0xD)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def daily(start: datetime, members: tuple[UUID, ...], **kw: object) -> Layer:
    return Layer(start, 1, RotationUnit.DAYS, members, time(9), **kw)  # type: ignore[arg-type]


def spec_of(*layers: Layer, overrides: tuple[Override, ...] = ()) -> ScheduleSpec:
    return ScheduleSpec("America/New_York", layers, overrides)


def summary(shifts: list[Shift]) -> list[tuple[UUID, datetime, datetime]]:
    return [(s.member_id, s.start, s.end) for s in shifts]


def weekly(day: int, start: time, duration: timedelta) -> Restriction:
    return Restriction(RestrictionKind.WEEKLY, start, duration, day)


BUSINESS_HOURS = tuple(weekly(day, time(9), 8 * HOUR) for day in range(5))
NIGHTS = (Restriction(RestrictionKind.DAILY, time(22), 8 * HOUR),)


# --- rotations and DST ---------------------------------------------------------------------


def test_daily_handoff_stays_at_0900_local_across_spring_forward() -> None:
    spec = spec_of(daily(ny(2026, 3, 1, 9), (A, B, C)))
    shifts = render(spec, ny(2026, 3, 6, 9), ny(2026, 3, 10, 9))
    assert summary(shifts) == [
        (C, utc(2026, 3, 6, 14), utc(2026, 3, 7, 14)),  # 09:00 EST = 14:00Z
        (A, utc(2026, 3, 7, 14), utc(2026, 3, 8, 13)),  # 23h: the night the clocks go forward
        (B, utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)),  # 09:00 EDT = 13:00Z
        (C, utc(2026, 3, 9, 13), utc(2026, 3, 10, 13)),
    ]
    assert all(s.start.astimezone(NY).time() == time(9) for s in shifts)
    assert all(s.start.tzinfo is UTC and s.end.tzinfo is UTC for s in shifts)


def test_daily_handoff_stays_at_0900_local_across_fall_back() -> None:
    spec = spec_of(daily(ny(2026, 10, 1, 9), (A, B)))
    shifts = render(spec, utc(2026, 10, 31, 13), utc(2026, 11, 2, 14))
    assert summary(shifts) == [
        (A, utc(2026, 10, 31, 13), utc(2026, 11, 1, 14)),  # 25h: the night the clocks go back
        (B, utc(2026, 11, 1, 14), utc(2026, 11, 2, 14)),  # 09:00 EST = 14:00Z
    ]
    compiled = compile_schedule(spec)
    assert compiled.on_call_at(utc(2026, 11, 1, 13, 59, 59)) == A
    assert compiled.on_call_at(utc(2026, 11, 1, 14)) == B


def test_weekly_rotation_hands_off_on_the_same_weekday_and_local_time() -> None:
    layer = Layer(ny(2026, 3, 2, 9), 1, RotationUnit.WEEKS, (A, B, C), time(9))  # a Monday
    shifts = render_layer(spec_of(layer), 0, ny(2026, 3, 2), ny(2026, 3, 30))
    assert [s.member_id for s in shifts] == [A, B, C, A]
    assert [s.start.astimezone(NY) for s in shifts[1:]] == [
        ny(2026, 3, 9, 9),
        ny(2026, 3, 16, 9),
        ny(2026, 3, 23, 9),
    ]
    assert shifts[0].end - shifts[0].start == timedelta(days=7, hours=-1)  # spans the DST change


def test_two_week_rotation() -> None:
    layer = Layer(ny(2026, 1, 5, 9), 2, RotationUnit.WEEKS, (A, B), time(9))
    spec = spec_of(layer)
    assert on_call_at(spec, ny(2026, 1, 19, 8, 59)) == A
    assert on_call_at(spec, ny(2026, 1, 19, 9)) == B
    assert on_call_at(spec, ny(2026, 2, 2, 9)) == A


def test_hourly_rotation_counts_absolute_hours_across_dst() -> None:
    layer = Layer(ny(2026, 3, 7, 22), 8, RotationUnit.HOURS, (A, B, C))  # 03:00Z
    shifts = render(spec_of(layer), utc(2026, 3, 8, 3), utc(2026, 3, 9, 3))
    assert summary(shifts) == [
        (A, utc(2026, 3, 8, 3), utc(2026, 3, 8, 11)),
        (B, utc(2026, 3, 8, 11), utc(2026, 3, 8, 19)),
        (C, utc(2026, 3, 8, 19), utc(2026, 3, 9, 3)),
    ]
    # Eight real hours after 22:00 EST is 07:00 EDT, not 06:00.
    assert shifts[1].start.astimezone(NY).time() == time(7)


def test_handoff_inside_the_spring_forward_gap_happens_after_the_gap() -> None:
    layer = Layer(ny(2026, 3, 1, 12), 1, RotationUnit.DAYS, (A, B), time(2, 30))
    shifts = render_layer(spec_of(layer), 0, ny(2026, 3, 7), ny(2026, 3, 10))
    starts = [s.start for s in shifts[1:]]
    # 02:30 does not exist on 8 March; the handoff is at 03:30 EDT, as zoneinfo's fold=0 gives.
    assert starts == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]


def test_ambiguous_handoff_uses_the_first_occurrence() -> None:
    layer = Layer(ny(2026, 10, 1, 12), 1, RotationUnit.DAYS, (A, B), time(1, 30, fold=1))
    compiled = compile_schedule(spec_of(layer))
    first_0130 = utc(2026, 11, 1, 5, 30)  # 01:30 EDT; 01:30 EST is an hour later
    assert compiled.on_call_at(first_0130 - timedelta(microseconds=1)) != compiled.on_call_at(
        first_0130
    )
    assert compiled.on_call_at(first_0130 + HOUR) == compiled.on_call_at(first_0130)


def test_skipped_local_day_drops_that_shift() -> None:
    # Samoa skipped 30 December 2011: the 09:00 handoffs of the 30th and 31st are one instant,
    # so the member due on the 30th gets an empty shift and the rotation moves past them.
    apia = ZoneInfo("Pacific/Apia")
    start = datetime(2011, 12, 28, 9, tzinfo=apia)
    spec = ScheduleSpec("Pacific/Apia", (Layer(start, 1, RotationUnit.DAYS, (A, B, C), time(9)),))
    shifts = render_layer(spec, 0, start, start + 5 * DAY)
    assert [s.member_id for s in shifts] == [A, B, A, B]
    assert all(s.start < s.end for s in shifts)
    compiled = compile_schedule(spec)
    for s in shifts:
        assert compiled.on_call_at(s.start) == s.member_id
        assert compiled.on_call_at(s.end - timedelta(microseconds=1)) == s.member_id


@pytest.mark.parametrize(
    ("start", "first_shift_end"),
    [
        (ny(2026, 6, 1, 6), ny(2026, 6, 2, 9)),  # before the handoff time: 27h
        (ny(2026, 6, 1, 9), ny(2026, 6, 2, 9)),  # at it: a full day
        (ny(2026, 6, 1, 12), ny(2026, 6, 2, 9)),  # after it: 21h
    ],
)
def test_first_member_covers_from_start_to_the_first_handoff_after_the_start_date(
    start: datetime, first_shift_end: datetime
) -> None:
    shifts = render_layer(spec_of(daily(start, (A, B))), 0, start - DAY, start + 3 * DAY)
    assert summary(shifts)[:2] == [
        (A, start, first_shift_end.astimezone(UTC)),
        (B, first_shift_end.astimezone(UTC), (first_shift_end + DAY).astimezone(UTC)),
    ]
    assert on_call_at(spec_of(daily(start, (A, B))), start - timedelta(microseconds=1)) is None


def test_repeated_member_gets_separate_layer_shifts_but_one_final_shift() -> None:
    spec = spec_of(daily(ny(2026, 6, 1, 9), (A, A, B)))
    lo, hi = ny(2026, 6, 1, 9), ny(2026, 6, 4, 9)
    assert [s.member_id for s in render_layer(spec, 0, lo, hi)] == [A, A, B]
    assert summary(render(spec, lo, hi)) == [
        (A, lo.astimezone(UTC), ny(2026, 6, 3, 9).astimezone(UTC)),
        (B, ny(2026, 6, 3, 9).astimezone(UTC), hi.astimezone(UTC)),
    ]


def test_inputs_in_any_zone_give_the_same_answers() -> None:
    spec = spec_of(daily(ny(2026, 3, 1, 9), (A, B, C)))
    tokyo = ZoneInfo("Asia/Tokyo")
    at = utc(2026, 3, 8, 12, 59)
    assert on_call_at(spec, at.astimezone(tokyo)) == on_call_at(spec, at) == A
    lo, hi = utc(2026, 3, 6), utc(2026, 3, 9)
    assert render(spec, lo.astimezone(tokyo), hi.astimezone(NY)) == render(spec, lo, hi)


def test_inputs_at_ambiguous_local_times_keep_their_fold() -> None:
    # 01:30 on 1 November happens twice in New York; fold=1 is the second time, 06:30Z.
    second_0130 = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY)
    layer = Layer(second_0130, 1, RotationUnit.HOURS, (A,))
    compiled = compile_schedule(spec_of(layer))
    assert compiled.on_call_at(utc(2026, 11, 1, 6, 29)) is None
    assert compiled.on_call_at(datetime(2026, 11, 1, 1, 30, tzinfo=NY)) is None  # 05:30Z
    assert compiled.on_call_at(second_0130) == A
    shifts = render_layer(spec_of(layer), 0, utc(2026, 11, 1), utc(2026, 11, 1, 8))
    assert [s.start for s in shifts] == [utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 7, 30)]


def test_override_across_the_repeated_hour_given_in_local_time() -> None:
    # 01:40 EDT to 01:00 EST is 20 minutes later, though the wall clock reads earlier; Python
    # compares same-zone datetimes by wall clock, so validation must not.
    start = datetime(2026, 11, 1, 1, 40, tzinfo=NY)
    end = datetime(2026, 11, 1, 1, 0, fold=1, tzinfo=NY)
    spec = spec_of(overrides=(Override(B, start, end),))
    assert render(spec, utc(2026, 11, 1), utc(2026, 11, 2)) == [
        Shift(B, utc(2026, 11, 1, 5, 40), utc(2026, 11, 1, 6))
    ]
    with pytest.raises(ScheduleError) as error:
        validate(spec_of(overrides=(Override(B, end, start),)))
    assert error.value.field == "overrides[0].end"


# --- restrictions ------------------------------------------------------------------------


def test_weekday_business_hours_as_weekly_windows() -> None:
    layer = daily(ny(2026, 3, 1, 9), (A, B, C), restrictions=BUSINESS_HOURS)
    shifts = render(spec_of(layer), ny(2026, 3, 2), ny(2026, 3, 9))  # Monday to Monday
    assert [(s.start.astimezone(NY), s.end.astimezone(NY)) for s in shifts] == [
        (ny(2026, 3, d, 9), ny(2026, 3, d, 17)) for d in range(2, 7)
    ]
    assert [s.member_id for s in shifts] == [B, C, A, B, C]
    compiled = compile_schedule(spec_of(layer))
    assert compiled.on_call_at(ny(2026, 3, 7, 12)) is None  # Saturday
    assert compiled.on_call_at(ny(2026, 3, 6, 16, 59)) == C
    assert compiled.on_call_at(ny(2026, 3, 6, 17)) is None


def test_weekly_window_wrapping_past_sunday() -> None:
    weekend = weekly(4, time(17), timedelta(hours=64))  # Friday 17:00 to Monday 09:00
    layer = Layer(ny(2026, 1, 1), 12, RotationUnit.HOURS, (A,), restrictions=(weekend,))
    shifts = render(spec_of(layer), ny(2026, 3, 1), ny(2026, 3, 15))
    assert [(s.start.astimezone(NY), s.end.astimezone(NY)) for s in shifts] == [
        (ny(2026, 3, 1), ny(2026, 3, 2, 9)),
        (ny(2026, 3, 6, 17), ny(2026, 3, 9, 9)),  # 63 real hours: DST starts that Sunday
        (ny(2026, 3, 13, 17), ny(2026, 3, 15)),
    ]


def test_nightly_window_wraps_midnight_and_the_rotation_does_not_pause() -> None:
    layer = daily(ny(2026, 3, 1, 9), (A, B, C), restrictions=NIGHTS)
    compiled = compile_schedule(spec_of(layer))
    assert compiled.on_call_at(ny(2026, 3, 3, 21, 59)) is None
    assert compiled.on_call_at(ny(2026, 3, 3, 22)) == C  # the 3rd's rotation shift is C's
    assert compiled.on_call_at(ny(2026, 3, 4, 5, 59)) == C
    assert compiled.on_call_at(ny(2026, 3, 4, 6)) is None
    shifts = render(spec_of(layer), ny(2026, 3, 7, 12), ny(2026, 3, 9, 12))
    assert summary(shifts) == [
        # 22:00 EST to 06:00 EDT: eight hours on the wall clock, seven real hours.
        (A, ny(2026, 3, 7, 22).astimezone(UTC), utc(2026, 3, 8, 10)),
        (B, ny(2026, 3, 8, 22).astimezone(UTC), ny(2026, 3, 9, 6).astimezone(UTC)),
    ]


def test_restriction_window_split_by_a_handoff_gives_two_layer_shifts() -> None:
    layer = Layer(ny(2026, 3, 1), 1, RotationUnit.DAYS, (A,), time(0), restrictions=NIGHTS)
    lo, hi = ny(2026, 3, 2, 12), ny(2026, 3, 3, 12)
    layer_shifts = render_layer(spec_of(layer), 0, lo, hi)
    assert [(s.start.astimezone(NY), s.end.astimezone(NY)) for s in layer_shifts] == [
        (ny(2026, 3, 2, 22), ny(2026, 3, 3)),
        (ny(2026, 3, 3), ny(2026, 3, 3, 6)),
    ]
    assert len(render(spec_of(layer), lo, hi)) == 1


def test_full_day_windows_leave_no_seams() -> None:
    always = (Restriction(RestrictionKind.DAILY, time(9), 24 * HOUR),)
    layer = Layer(ny(2026, 3, 1, 9), 4, RotationUnit.DAYS, (A,), time(9), restrictions=always)
    shifts = render_layer(spec_of(layer), 0, ny(2026, 3, 1, 9), ny(2026, 3, 9, 9))
    assert len(shifts) == 2


# --- precedence, overrides, layer end ------------------------------------------------------


def test_later_layer_wins_and_lower_layer_shows_through_outside_its_windows() -> None:
    base = daily(ny(2026, 3, 1, 9), (A,))
    business = daily(ny(2026, 3, 1, 9), (B,), restrictions=BUSINESS_HOURS)
    shifts = render(spec_of(base, business), ny(2026, 3, 2, 8), ny(2026, 3, 3, 8))
    assert [(s.member_id, s.start.astimezone(NY)) for s in shifts] == [
        (A, ny(2026, 3, 2, 8)),
        (B, ny(2026, 3, 2, 9)),
        (A, ny(2026, 3, 2, 17)),
    ]
    # Reversed, the always-on layer hides the business-hours one completely.
    assert {
        s.member_id for s in render(spec_of(business, base), ny(2026, 3, 2), ny(2026, 3, 3))
    } == {A}


def test_overrides_win_and_the_later_overlapping_override_wins() -> None:
    base = daily(ny(2026, 3, 1, 9), (A,))
    overrides = (
        Override(B, ny(2026, 3, 2, 10), ny(2026, 3, 2, 14)),
        Override(C, ny(2026, 3, 2, 12), ny(2026, 3, 2, 13)),
        Override(D, ny(2026, 3, 2, 20), ny(2026, 3, 2, 21)),  # where no layer covers
    )
    spec = spec_of(replace(base, end=ny(2026, 3, 2, 18)), overrides=overrides)
    shifts = render(spec, ny(2026, 3, 2, 9), ny(2026, 3, 3))
    assert [(s.member_id, s.start.astimezone(NY), s.end.astimezone(NY)) for s in shifts] == [
        (A, ny(2026, 3, 2, 9), ny(2026, 3, 2, 10)),
        (B, ny(2026, 3, 2, 10), ny(2026, 3, 2, 12)),
        (C, ny(2026, 3, 2, 12), ny(2026, 3, 2, 13)),
        (B, ny(2026, 3, 2, 13), ny(2026, 3, 2, 14)),
        (A, ny(2026, 3, 2, 14), ny(2026, 3, 2, 18)),
        (D, ny(2026, 3, 2, 20), ny(2026, 3, 2, 21)),
    ]
    # The earlier override wins nothing where a later one overlaps it, whatever their lengths.
    flipped = replace(spec, overrides=(overrides[1], overrides[0]))
    assert on_call_at(flipped, ny(2026, 3, 2, 12, 30)) == B


def test_layer_end_is_exclusive_and_lets_lower_layers_through() -> None:
    base = daily(ny(2026, 3, 1, 9), (A,))
    upper = daily(ny(2026, 3, 1, 9), (B,), end=ny(2026, 3, 5, 12))
    compiled = compile_schedule(spec_of(base, upper))
    assert compiled.on_call_at(ny(2026, 3, 5, 11, 59)) == B
    assert compiled.on_call_at(ny(2026, 3, 5, 12)) == A
    assert on_call_at(spec_of(upper), ny(2026, 3, 5, 12)) is None
    assert render_layer(spec_of(upper), 0, ny(2026, 3, 5), ny(2026, 3, 6))[-1].end == ny(
        2026, 3, 5, 12
    ).astimezone(UTC)


def test_schedule_without_layers() -> None:
    spec = ScheduleSpec("UTC", (), (Override(A, utc(2026, 1, 1), utc(2026, 1, 2)),))
    assert render(spec, utc(2025, 12, 31), utc(2026, 1, 3)) == [
        Shift(A, utc(2026, 1, 1), utc(2026, 1, 2))
    ]
    assert on_call_at(spec, utc(2026, 1, 2)) is None


# --- render ranges ---------------------------------------------------------------------------


def test_render_range_limits() -> None:
    spec = spec_of(daily(ny(2026, 1, 1, 9), (A,)))
    lo = utc(2026, 1, 1)
    assert render(spec, lo, lo + MAX_RENDER_RANGE)
    with pytest.raises(ScheduleError) as too_long:
        render(spec, lo, lo + MAX_RENDER_RANGE + timedelta(microseconds=1))
    assert too_long.value.field == "to"
    for hi in (lo, lo - HOUR):
        with pytest.raises(ScheduleError) as backwards:
            render(spec, lo, hi)
        assert backwards.value.field == "to"
        with pytest.raises(ScheduleError):
            render_layer(spec, 0, lo, hi)
    with pytest.raises(ScheduleError) as naive:
        render(spec, datetime(2026, 1, 1), lo + DAY)
    assert naive.value.field == "from"
    with pytest.raises(ScheduleError) as naive_at:
        on_call_at(spec, datetime(2026, 1, 1))
    assert naive_at.value.field == "at"
    with pytest.raises(ScheduleError) as bad_index:
        render_layer(spec, 1, lo, lo + DAY)
    assert bad_index.value.field == "index"


# --- validation ------------------------------------------------------------------------------

GOOD_LAYER = daily(ny(2026, 1, 1, 9), (A, B))
NAIVE = datetime(2026, 1, 1)


def _layers(**changes: object) -> ScheduleSpec:
    return spec_of(GOOD_LAYER, replace(GOOD_LAYER, **changes))  # type: ignore[arg-type]


def _restricted(*restrictions: Restriction) -> ScheduleSpec:
    return spec_of(replace(GOOD_LAYER, restrictions=(*BUSINESS_HOURS[:2], *restrictions)))


def _override(start: datetime, end: datetime) -> ScheduleSpec:
    ok = Override(A, ny(2026, 1, 1), ny(2026, 1, 2))
    return spec_of(GOOD_LAYER, overrides=(ok, ok, ok, Override(B, start, end)))


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (ScheduleSpec("Mars/Olympus_Mons", (GOOD_LAYER,)), "time_zone"),
        (ScheduleSpec("", (GOOD_LAYER,)), "time_zone"),
        (ScheduleSpec("../etc/passwd", (GOOD_LAYER,)), "time_zone"),
        (_layers(rotation_length=0), "layers[1].rotation_length"),
        (_layers(members=()), "layers[1].members"),
        (_layers(handoff_time=None), "layers[1].handoff_time"),
        (_layers(rotation_unit=RotationUnit.WEEKS, handoff_time=None), "layers[1].handoff_time"),
        (_layers(rotation_unit=RotationUnit.HOURS), "layers[1].handoff_time"),
        (_layers(handoff_time=time(9, tzinfo=UTC)), "layers[1].handoff_time"),
        (_layers(start=NAIVE), "layers[1].start"),
        (_layers(end=NAIVE), "layers[1].end"),
        (_layers(end=GOOD_LAYER.start), "layers[1].end"),
        (_layers(end=GOOD_LAYER.start - HOUR), "layers[1].end"),
        (
            _restricted(Restriction(RestrictionKind.DAILY, time(9), timedelta(0))),
            "layers[0].restrictions[2].duration",
        ),
        (
            _restricted(Restriction(RestrictionKind.DAILY, time(9), DAY + timedelta(seconds=1))),
            "layers[0].restrictions[2].duration",
        ),
        (
            _restricted(weekly(0, time(9), timedelta(days=7, seconds=1))),
            "layers[0].restrictions[2].duration",
        ),
        (_restricted(weekly(0, time(9), -HOUR)), "layers[0].restrictions[2].duration"),
        (
            _restricted(Restriction(RestrictionKind.WEEKLY, time(9), HOUR)),
            "layers[0].restrictions[2].start_day",
        ),
        (_restricted(weekly(7, time(9), HOUR)), "layers[0].restrictions[2].start_day"),
        (_restricted(weekly(-1, time(9), HOUR)), "layers[0].restrictions[2].start_day"),
        (
            _restricted(Restriction(RestrictionKind.DAILY, time(9), HOUR, 2)),
            "layers[0].restrictions[2].start_day",
        ),
        (
            _restricted(Restriction(RestrictionKind.DAILY, time(9, tzinfo=UTC), HOUR)),
            "layers[0].restrictions[2].start_time",
        ),
        (_override(ny(2026, 1, 2), ny(2026, 1, 2)), "overrides[3].end"),
        (_override(ny(2026, 1, 2), ny(2026, 1, 1)), "overrides[3].end"),
        (_override(NAIVE, ny(2026, 1, 2)), "overrides[3].start"),
        (_override(ny(2026, 1, 1), NAIVE), "overrides[3].end"),
    ],
)
def test_validation_reports_the_field(spec: ScheduleSpec, field: str) -> None:
    with pytest.raises(ScheduleError) as error:
        validate(spec)
    assert error.value.field == field
    assert error.value.message
    assert field in str(error.value)
    with pytest.raises(ScheduleError):
        compile_schedule(spec)


def test_hourly_layer_without_handoff_time_and_valid_restrictions_pass() -> None:
    hourly = Layer(ny(2026, 1, 1), 48, RotationUnit.HOURS, (A,), restrictions=BUSINESS_HOURS)
    spec = spec_of(GOOD_LAYER, hourly, overrides=(Override(A, utc(2026, 1, 1), utc(2026, 1, 2)),))
    validate(spec)
    assert schedule_errors(spec) == []


def test_schedule_errors_lists_every_problem() -> None:
    spec = ScheduleSpec("Nowhere/Special", (replace(GOOD_LAYER, rotation_length=0, members=()),))
    assert [e.field for e in schedule_errors(spec)] == [
        "time_zone",
        "layers[0].rotation_length",
        "layers[0].members",
    ]


# --- the 90-day check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start", [utc(2026, 2, 1), utc(2026, 9, 15)], ids=["spring-forward", "fall-back"]
)
def test_90_day_render_agrees_with_on_call_at(start: datetime) -> None:
    compiled = compile_schedule(benchmark_schedule())
    end = start + timedelta(days=90)
    shifts = compiled.render(start, end)
    starts = [s.start for s in shifts]

    def rendered(at: datetime) -> UUID | None:
        i = bisect.bisect_right(starts, at) - 1
        return shifts[i].member_id if i >= 0 and at < shifts[i].end else None

    boundaries = {t for s in shifts for t in (s.start, s.end)}
    samples = {start + timedelta(minutes=m) for m in range(0, 90 * 24 * 60, 7)}
    samples |= boundaries | {t - timedelta(microseconds=1) for t in boundaries}
    samples = {t for t in samples if start <= t < end}
    assert len(shifts) > 300  # a real workout, not a trivially empty timeline
    mismatches = [t for t in sorted(samples) if compiled.on_call_at(t) != rendered(t)]
    assert mismatches == []
