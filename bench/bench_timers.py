"""Timer lateness while 10,000 simulated calls ring at once, on PostgreSQL, with 2 workers.

Calls are placed ahead of time with start times spread over a window (default 200 s, so 50
new calls a second, each bringing a dispatch and a "ringing" event: 100 timers a second);
every call rings for 600 s, so by the end of the window all of them ring concurrently and the
timers table holds their pending timers. Two worker processes fire what
falls due; each notes how late it claimed every timer. Afterwards every call is checked: its
start was processed exactly once (one dispatch, one "leg ringing" event), and exactly its two
future timers are left — nothing lost, nothing duplicated.

Run: `.venv/bin/python -m bench.bench_timers [--calls 10000] [--window 200] [--workers 2]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.common import drop_database, scratch_database, seed_router
from callroute.clock import SystemClock
from callroute.db.session import Database
from callroute.models import Call, CallEvent, Timer
from callroute.providers.simulator.script import Script
from callroute.simulated_calls.service import place_call

RING_SECONDS = 600


async def place_all(url: str, number: str, calls: int, window: float, lead: float) -> float:
    """Place the calls with start times spread over the window; returns the window start
    (epoch seconds)."""
    db = Database(url)
    start = SystemClock().now() + timedelta(seconds=lead)
    try:
        for first in range(0, calls, 200):
            async with db.unit_of_work() as session:
                for index in range(first, min(first + 200, calls)):
                    at = start + timedelta(seconds=window * index / calls)
                    await place_call(
                        session,
                        to_number=number,
                        from_number=f"+4420718{index % 100000:05d}",
                        script=Script(default="no-answer"),
                        now=at,
                    )
    finally:
        await db.dispose()
    return start.timestamp()


async def verify(url: str, calls: int) -> dict[str, int]:
    db = Database(url)
    try:
        async with db.unit_of_work(readonly=True) as session:
            ringing = await session.scalar(
                select(func.count()).select_from(Call).where(Call.status == "ringing_responders")
            )
            per_call = (
                await session.execute(
                    select(CallEvent.call_id, func.count())
                    .where(
                        CallEvent.kind == "event",
                        CallEvent.detail["type"].as_string() == "leg_ringing",
                    )
                    .group_by(CallEvent.call_id)
                )
            ).all()
            timers = await session.scalar(select(func.count()).select_from(Timer))
    finally:
        await db.dispose()
    counts = [count for _call, count in per_call]
    return {
        "calls": calls,
        "ringing": int(ringing or 0),
        "calls_with_leg_ringing": len(counts),
        "duplicated": sum(1 for c in counts if c != 1),
        "timers_left": int(timers or 0),
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


async def main(calls: int, window: float, workers: int) -> None:
    url = await scratch_database()
    out = Path(tempfile.mkdtemp(prefix="callroute-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        seeded = await seed_router(url, ring_timeout=RING_SECONDS, responders=1)
        began = time.monotonic()
        # Placing must finish before the window opens (about 40 placements a second here),
        # or the workers would start on a backlog instead of a steady stream.
        lead = 30.0 + calls / 30
        window_start = await place_all(url, seeded.number, calls, window, lead)
        placed_in = time.monotonic() - began
        env = {**os.environ, "CALLROUTE_LOG_LEVEL": "WARNING"}
        for index in range(workers):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.timer_worker", url, str(out / f"w{index}.json")],
                    env=env,
                )
            )
        await asyncio.sleep(max(0.0, window_start - time.time()) + window + 15)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
    try:
        checks = await verify(url, calls)
    finally:
        await drop_database(url)
    samples: list[tuple[str, float]] = []
    for path in out.glob("w*.json"):
        samples += [(str(k), float(v)) for k, v in json.loads(path.read_text())]
    late = [s for _kind, s in samples]
    print(
        f"`.venv/bin/python -m bench.bench_timers --calls {calls} --window {window:g} "
        f"--workers {workers}`; PostgreSQL, {time.strftime('%Y-%m-%d')}; "
        f"{calls} calls placed in {placed_in:.0f} s\n"
    )
    print("| timers | claimed | lateness p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    kinds = sorted({k for k, _ in samples})
    for kind in [*kinds, "all"]:
        values = late if kind == "all" else [s for k, s in samples if k == kind]
        print(
            f"| {kind} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
            f"{pct(values, 0.9) * 1000:.0f} | {pct(values, 0.99) * 1000:.0f} | "
            f"{max(values) * 1000:.0f} |"
        )
    print()
    print("| check | value |")
    print("|---|---:|")
    for name, value in checks.items():
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.window, args.workers))
