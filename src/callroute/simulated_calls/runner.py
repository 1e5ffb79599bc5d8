"""`callroute simulate call`: place a call and narrate it until it is over."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from rich.console import Console

from callroute.app_context import AppContext
from callroute.calls.repository import timeline_after
from callroute.clock import Clock, FrozenClock, SystemClock
from callroute.config import Settings
from callroute.db.session import Database
from callroute.models import Call
from callroute.providers.simulator.script import Script
from callroute.simulated_calls.narrate import describe
from callroute.simulated_calls.service import place_call
from callroute.timers.auditor import FINAL
from callroute.timers.runner import Runner
from callroute.timers.store import TimerStore

MAX_CALL = timedelta(minutes=30)


async def follow_call(
    settings: Settings,
    to_number: str,
    from_number: str,
    script: Script,
    *,
    fast: bool,
    console: Console,
) -> str:
    """Returns the call's final status."""
    clock: Clock = FrozenClock(SystemClock().now()) if fast else SystemClock()
    ctx = AppContext(
        settings=settings,
        clock=clock,
        db=Database(settings.database_url, connect_timeout=settings.db_connect_timeout_seconds),
    )
    try:
        async with ctx.db.unit_of_work() as session:
            applied = await place_call(
                session,
                to_number=to_number,
                from_number=from_number,
                script=script,
                now=clock.now(),
            )
            call_id, started = applied.call.id, applied.call.started_at
        # This call's timers only: on a virtual clock, firing another call's timers would fire
        # them early (a server's runner owns those, on the real clock).
        runner = Runner(ctx, poll_interval=0.2, call_id=call_id)
        console.print(f"call {call_id}: {from_number} → {to_number}")
        shown = 0
        while True:
            await runner.tick()
            if isinstance(clock, FrozenClock):
                await _advance(ctx, clock, call_id)
            shown = await _print_new(ctx, call_id, started, shown, console)
            status, pending = await _progress(ctx, call_id)
            if pending == 0 and status in FINAL:
                break
            if clock.now() - started > MAX_CALL:
                console.print("[red]the simulation did not finish in 30 minutes[/red]")
                return "failed"
            if not isinstance(clock, FrozenClock):
                await asyncio.sleep(0.2)
        console.print(f"final status: [bold]{status}[/bold]")
        return status
    finally:
        await ctx.http.aclose()
        await ctx.db.dispose()


async def _advance(ctx: AppContext, clock: FrozenClock, call_id: uuid.UUID) -> None:
    async with ctx.db.unit_of_work(readonly=True) as session:
        due = await TimerStore(session).first_due(call_id)
    if due is not None and due > clock.now():
        clock.set(due)


async def _print_new(
    ctx: AppContext, call_id: uuid.UUID, started: object, shown: int, console: Console
) -> int:
    async with ctx.db.unit_of_work(readonly=True) as session:
        events = await timeline_after(session, call_id, shown)
    for event in events:
        shown = event.sequence
        line = describe(event.kind, event.detail)
        if line is None:
            continue
        offset = (event.at - started).total_seconds()  # type: ignore[operator]
        console.print(f"[cyan]{offset:6.1f}s[/cyan]  {line}")
    return shown


async def _progress(ctx: AppContext, call_id: uuid.UUID) -> tuple[str, int]:
    async with ctx.db.unit_of_work(readonly=True) as session:
        call = await session.get(Call, call_id)
        pending = await TimerStore(session).count(call_id=call_id)
    assert call is not None
    return call.status, pending
