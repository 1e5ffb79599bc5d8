"""The figures ``/metrics`` reads from the database when it is scraped (metrics.Scraped)."""

from __future__ import annotations

from callroute.app_context import AppContext
from callroute.calls.coverage import responders_on_call
from callroute.timers.store import TimerStore


async def refresh(ctx: AppContext) -> None:
    """Read the backlog and the routers' coverage into ``ctx.metrics.scraped`` (unchanged if
    the database fails to answer)."""
    now = ctx.clock.now()
    async with ctx.db.unit_of_work(readonly=True) as session:
        due, oldest = await TimerStore(session).backlog(now)
        coverage = await responders_on_call(session, now)
    scraped = ctx.metrics.scraped
    scraped.timers_due = due
    scraped.oldest_due_seconds = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    scraped.responders_on_call = coverage
