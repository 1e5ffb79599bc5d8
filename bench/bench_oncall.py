"""How fast is "who is on call" and "who do we ring"?

Run with ``.venv/bin/python -m bench.bench_oncall``. Builds a deliberately heavy schedule
(3 layers x 50 members, restrictions, 500 overrides over a year, DST included) and times
``CompiledSchedule.on_call_at``, ``compile_schedule`` and ``resolve_policy`` over random
instants, next to a dict lookup of precomputed answers as a floor for what a call can cost here.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time as clock
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from callroute.engine.escalation import (
    Directory,
    Level,
    MemberContact,
    Phone,
    PolicySpec,
    RingStrategy,
    Target,
    TargetKind,
    resolve_policy,
)
from callroute.engine.schedule import (
    CompiledSchedule,
    Layer,
    Override,
    Restriction,
    RestrictionKind,
    RotationUnit,
    ScheduleSpec,
    compile_schedule,
)

ZONE = "America/New_York"
YEAR_START = datetime(2026, 1, 1, tzinfo=ZoneInfo(ZONE))
YEAR = timedelta(days=365)
MEMBERS_PER_LAYER = 50
OVERRIDES = 500

T = TypeVar("T")

ON_CALL_TARGET_MS = 1.0
RESOLVE_TARGET_MS = 5.0


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def benchmark_members(seed: int = 0) -> list[UUID]:
    """The 150 member ids :func:`benchmark_schedule` uses for ``seed``: 50 per layer."""
    rng = random.Random(f"members-{seed}")
    return [_uuid(rng) for _ in range(3 * MEMBERS_PER_LAYER)]


def benchmark_schedule(seed: int = 0) -> ScheduleSpec:
    """A heavy, realistic schedule: every kind of rotation, restrictions, a year of overrides."""
    rng = random.Random(f"schedule-{seed}")
    members = benchmark_members(seed)
    daily_members = tuple(members[:MEMBERS_PER_LAYER])
    weekly_members = tuple(members[MEMBERS_PER_LAYER : 2 * MEMBERS_PER_LAYER])
    hourly_members = tuple(members[2 * MEMBERS_PER_LAYER :])
    business_hours = tuple(
        Restriction(RestrictionKind.WEEKLY, time(9), timedelta(hours=8), day) for day in range(5)
    )
    nights = (Restriction(RestrictionKind.DAILY, time(20), timedelta(hours=12)),)
    start = YEAR_START - timedelta(days=30)
    layers = (
        Layer(start, 1, RotationUnit.DAYS, daily_members, time(9)),
        Layer(start, 1, RotationUnit.WEEKS, weekly_members, time(10), business_hours),
        # Hourly handoffs drift against the nights window when DST changes: more seams.
        Layer(start + timedelta(hours=20), 12, RotationUnit.HOURS, hourly_members, None, nights),
    )
    overrides = []
    for _ in range(OVERRIDES):
        begin = YEAR_START + timedelta(minutes=rng.randrange(365 * 24 * 60))
        length = timedelta(minutes=rng.randrange(30, 24 * 60))
        overrides.append(Override(rng.choice(members), begin, begin + length))
    return ScheduleSpec(ZONE, layers, tuple(overrides))


def benchmark_policy(seed: int = 0) -> tuple[PolicySpec, Directory]:
    """A 3-level policy over three benchmark schedules, a team and a single member."""
    rng = random.Random(f"policy-{seed}")
    schedule_ids = [_uuid(rng) for _ in range(3)]
    schedules = {
        sid: compile_schedule(benchmark_schedule(seed + i)) for i, sid in enumerate(schedule_ids)
    }
    everyone = [m for i in range(3) for m in benchmark_members(seed + i)]
    noc = Phone("+12125550100", "NOC", verified=True)  # shared, so dedupe has work to do
    members = {
        m: MemberContact(
            m,
            f"Member {n}",
            (
                Phone(f"+1212555{n:04d}", "mobile", verified=n % 7 != 0),
                *((noc,) if n % 5 == 0 else ()),
            ),
        )
        for n, m in enumerate(everyone)
    }
    team_id = _uuid(rng)
    directory = Directory(
        members=members,
        teams={team_id: tuple(rng.sample(everyone, 10))},
        schedules=schedules,
        require_verified=True,
    )
    policy = PolicySpec(
        levels=(
            Level((Target(TargetKind.SCHEDULE, schedule_ids[0]),)),
            Level(
                (Target(TargetKind.SCHEDULE, schedule_ids[1]), Target(TargetKind.TEAM, team_id)),
                RingStrategy.SIMULTANEOUS,
            ),
            Level(
                (
                    Target(TargetKind.SCHEDULE, schedule_ids[2]),
                    Target(TargetKind.MEMBER, everyone[0]),
                ),
                RingStrategy.RANDOM,
                delay_seconds=60,
            ),
        ),
        repeat_count=2,
    )
    return policy, directory


def _time_each(fn: Callable[[T], object], inputs: Sequence[T]) -> list[float]:
    """Milliseconds per call, timing every call on its own so the tail shows."""
    out: list[float] = []
    perf = clock.perf_counter
    for value in inputs:
        begin = perf()
        fn(value)
        out.append((perf() - begin) * 1000)
    return out


def _override_covered(spec: ScheduleSpec) -> Callable[[datetime], bool]:
    spans = [(o.start, o.end) for o in spec.overrides]
    return lambda t: any(begin <= t < end for begin, end in spans)


def _p99(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.99) - 1)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=20_000, help="random instants per timing")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    spec = benchmark_schedule(args.seed)
    instants = [
        (
            YEAR_START + timedelta(microseconds=rng.randrange(YEAR // timedelta(microseconds=1)))
        ).astimezone(UTC)
        for _ in range(args.samples)
    ]

    compile_ms = _time_each(compile_schedule, [spec] * 20)
    compiled: CompiledSchedule = compile_schedule(spec)
    on_call_ms = _time_each(compiled.on_call_at, instants)
    # Overrides cover a good part of the year and answer from one bisect, so also time the
    # instants that fall through to the layers on their own.
    covered = _override_covered(spec)
    layer_path = [t for t in instants if not covered(t)]
    layer_path_ms = _time_each(compiled.on_call_at, layer_path)
    answers = {t: compiled.on_call_at(t) for t in instants}
    baseline_ms = _time_each(answers.__getitem__, instants)
    policy, directory = benchmark_policy(args.seed)
    resolve_ms = _time_each(lambda t: resolve_policy(policy, directory, t), instants)

    floor = statistics.median(baseline_ms)
    rows = [
        ("dict lookup of a precomputed answer (baseline)", baseline_ms, None),
        ("`CompiledSchedule.on_call_at`", on_call_ms, ON_CALL_TARGET_MS),
        ("`CompiledSchedule.on_call_at`, no override active", layer_path_ms, ON_CALL_TARGET_MS),
        ("`resolve_policy` (3 levels: 3 schedules, team, member)", resolve_ms, RESOLVE_TARGET_MS),
        ("`compile_schedule` (3 layers x 50, 500 overrides)", compile_ms, None),
    ]
    print(f"`.venv/bin/python -m bench.bench_oncall --samples {args.samples} --seed {args.seed}`")
    print(f"Python {sys.version.split()[0]}; schedule zone {ZONE}; instants spread over 2026\n")
    print("| operation | calls | median µs | p99 µs | target (median) | median / baseline |")
    print("|---|---:|---:|---:|---|---:|")
    failed = False
    for name, samples, target in rows:
        median = statistics.median(samples)
        verdict = "-"
        if target is not None:
            ok = median <= target
            failed |= not ok
            verdict = f"<= {target:g} ms {'ok' if ok else 'MISSED'}"
        print(
            f"| {name} | {len(samples)} | {median * 1000:,.1f} | {_p99(samples) * 1000:,.1f} "
            f"| {verdict} "
            f"| {median / floor:,.0f}x |"
        )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
