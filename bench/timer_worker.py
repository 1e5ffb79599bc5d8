"""A `callroute worker` that also writes down how late each timer was claimed (for
bench_timers). Usage: python -m bench.timer_worker <database url> <output.json>"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from datetime import datetime

from bench.common import SECRET
from callroute.app_context import AppContext
from callroute.config import Settings
from callroute.db.session import Database
from callroute.timers.runner import Runner
from callroute.timers.store import Claimed


class RecordingRunner(Runner):
    samples: list[tuple[str, float]]

    async def _claim(self, limit: int, now: datetime) -> list[Claimed]:
        claimed = await super()._claim(limit, now)
        for timer in claimed:
            self.samples.append((timer.kind, (now - timer.due_at).total_seconds()))
        return claimed


async def main(url: str, output: str) -> None:
    settings = Settings(database_url=url, secret_key=SECRET, log_level="WARNING")
    ctx = AppContext(settings=settings, db=Database(url))
    runner = RecordingRunner(ctx, batch=100, concurrency=16, poll_interval=0.02)
    runner.samples = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await runner.run(stop)
    finally:
        with open(output, "w") as handle:
            json.dump(runner.samples, handle)
        await ctx.db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
