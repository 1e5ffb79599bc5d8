"""The timer runner: claims due timers and carries them out, each in its own transaction.

``callroute serve`` runs one in-process (the embedded default needs nothing else);
``callroute worker`` runs only this. Any number of them may share one PostgreSQL database:
claims are exclusive (SKIP LOCKED + lease), each timer's effect commits together with its
deletion, and a worker that dies mid-way leaves a lease that the reaper clears.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls import inbox
from callroute.calls.records import CallRecords
from callroute.calls.runtime import CallRuntime, lock_call
from callroute.clock import FrozenClock
from callroute.context import AppContext
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import ProviderUnavailable
from callroute.providers.base import CallContext
from callroute.providers.registry import get_provider
from callroute.timers.auditor import audit
from callroute.timers.store import Claimed, TimerStore
from callroute.webhooks import delivery as webhooks

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 10
REAP_EVERY = timedelta(seconds=5)
AUDIT_EVERY = timedelta(seconds=30)


async def _note_provider_trouble(
    session: AsyncSession,
    timer: Claimed,
    exc: ProviderUnavailable,
    give_up: bool,
    backoff: timedelta,
    now: datetime,
) -> None:
    """A provider outage is part of the call's story: its timeline says what failed and when
    it is tried again."""
    assert timer.call_id is not None
    call = await lock_call(session, timer.call_id)
    if call is None:
        return
    records = CallRecords(session, call)
    detail = {
        "message": exc.message,
        "attempt": timer.attempts,
        "retry_in_seconds": None if give_up else int(backoff.total_seconds()),
    }
    await records.append(now, [("provider_unavailable", detail)])
    await records.write()


class LeaseLost(Exception):
    """Another worker owns the timer now (our lease expired); our work was rolled back."""


Handler = Callable[["Runner", AsyncSession, Claimed, datetime], Awaitable[None]]


async def _engine(runner: Runner, session: AsyncSession, timer: Claimed, now: datetime) -> None:
    assert timer.call_id is not None
    event = m.TimerFired(str(timer.payload["kind"]), str(timer.payload["token"]))
    await CallRuntime(session).handle(timer.call_id, event, now)


async def _provider_event(
    runner: Runner, session: AsyncSession, timer: Claimed, now: datetime
) -> None:
    assert timer.call_id is not None
    event = codec.event_from_dict(timer.payload["event"])
    provider = str(timer.payload.get("provider", "simulator"))
    call = await lock_call(session, timer.call_id)
    if call is None:
        return
    if await inbox.accept(session, provider, str(timer.payload["event_id"]), call.id, now):
        await CallRuntime(session).apply(call, event, now)


async def _dispatch(runner: Runner, session: AsyncSession, timer: Claimed, now: datetime) -> None:
    assert timer.call_id is not None
    call = await lock_call(session, timer.call_id)
    if call is None:
        return
    commands = [codec.command_from_dict(c) for c in timer.payload["commands"]]
    context = CallContext(
        call_id=call.id,
        project_id=call.project_id,
        connection_id=call.connection_id,
        provider_call_id=call.provider_call_id,
        generation=int(timer.payload["generation"]),
        provider_data=call.provider_data,
    )
    await get_provider(call.provider, runner.ctx.provider_env).execute(
        session, context, commands, now
    )


async def _provider_task(
    runner: Runner, session: AsyncSession, timer: Claimed, now: datetime
) -> None:
    """Work a provider does about a call later on (Twilio: fetch what the call cost)."""
    assert timer.call_id is not None
    provider = get_provider(str(timer.payload["provider"]), runner.ctx.provider_env)
    await provider.run_task(session, timer.call_id, timer.payload, now)


async def _webhook(runner: Runner, session: AsyncSession, timer: Claimed, now: datetime) -> None:
    await webhooks.deliver(
        session,
        uuid.UUID(str(timer.payload["delivery_id"])),
        runner.ctx.http,
        runner.ctx.secret_key,
        now,
    )


HANDLERS: dict[str, Handler] = {
    "engine": _engine,
    "provider_event": _provider_event,
    "dispatch": _dispatch,
    "webhook": _webhook,
    "provider_task": _provider_task,
}


class Runner:
    def __init__(
        self,
        ctx: AppContext,
        *,
        worker_id: str | None = None,
        batch: int = 100,
        concurrency: int = 8,
        poll_interval: float = 0.1,
    ) -> None:
        self.ctx = ctx
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.poll_interval = poll_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._last_reap: datetime | None = None
        self._last_audit: datetime | None = None

    def kick(self) -> None:
        """Look for due timers now (after a request wrote some) instead of at the next poll."""
        self._wake.set()

    async def tick(self) -> int:
        """Claim what is due and carry it out; returns how many timers were handled."""
        now = self.ctx.clock.now()
        await self._housekeeping(now)
        async with self.ctx.db.unit_of_work() as session:
            claimed = await TimerStore(session).claim(
                self.worker_id,
                now,
                self.batch,
                lease=timedelta(seconds=self.ctx.settings.timer_lease_seconds),
            )
        for timer in claimed:
            self.ctx.metrics.timer_lateness.labels(timer.kind).observe(
                max(0.0, (now - timer.due_at).total_seconds())
            )
        await asyncio.gather(*(self._guarded(timer) for timer in claimed))
        return len(claimed)

    async def _guarded(self, timer: Claimed) -> None:
        async with self._slots:
            await self.process(timer)

    async def process(self, timer: Claimed) -> None:
        now = self.ctx.clock.now()
        try:
            async with self.ctx.db.unit_of_work() as session:
                await HANDLERS[timer.kind](self, session, timer, now)
                if not await TimerStore(session).finish(timer.id, self.worker_id):
                    raise LeaseLost(str(timer.id))
        except LeaseLost:
            log.warning("timer_lease_lost", timer_id=str(timer.id), kind=timer.kind)
        except Exception as exc:
            await self._retry_later(timer, exc, now)

    async def _retry_later(self, timer: Claimed, exc: Exception, now: datetime) -> None:
        give_up = timer.attempts >= MAX_ATTEMPTS
        log.error(
            "timer_failed",
            timer_id=str(timer.id),
            kind=timer.kind,
            attempts=timer.attempts,
            give_up=give_up,
            exc_info=exc,
        )
        try:
            async with self.ctx.db.unit_of_work() as session:
                store = TimerStore(session)
                backoff = timedelta(seconds=min(2**timer.attempts, 60))
                if give_up:
                    await store.finish(timer.id, self.worker_id)
                else:
                    await store.release(timer.id, self.worker_id, now + backoff)
                if isinstance(exc, ProviderUnavailable) and timer.call_id is not None:
                    await _note_provider_trouble(session, timer, exc, give_up, backoff, now)
        except Exception as second:  # the database itself is away: the lease will expire
            log.warning("timer_release_failed", timer_id=str(timer.id), error=str(second))

    async def _housekeeping(self, now: datetime) -> None:
        if self._last_reap is None or now - self._last_reap >= REAP_EVERY:
            self._last_reap = now
            async with self.ctx.db.unit_of_work() as session:
                reaped = await TimerStore(session).reap(now)
            if reaped:
                log.warning("timer_leases_reaped", count=reaped)
        if self._last_audit is None or now - self._last_audit >= AUDIT_EVERY:
            self._last_audit = now
            await audit(self.ctx, now)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a database outage is waited out, not fatal."""
        log.info("timer_runner_started", worker=self.worker_id)
        while not stop.is_set():
            try:
                handled = await self.tick()
            except Exception as exc:
                log.warning("timer_runner_tick_failed", error=str(exc).splitlines()[0])
                handled = 0
                await asyncio.sleep(1.0)
            if handled >= self.batch:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
        log.info("timer_runner_stopped", worker=self.worker_id)

    async def drain(
        self, clock: FrozenClock, *, until: datetime | None = None, max_steps: int = 10_000
    ) -> int:
        """Virtual time: handle everything due, then jump the clock to the next due timer,
        until nothing is left (or ``until``). For tests and ``simulate --fast``."""
        handled = 0
        for _ in range(max_steps):
            count = await self.tick()
            handled += count
            if count:
                continue
            async with self.ctx.db.unit_of_work(readonly=True) as session:
                next_due = await TimerStore(session).next_due()
            if next_due is None or (until is not None and next_due > until):
                if until is not None and clock.now() < until:
                    clock.set(until)
                return handled
            clock.set(max(next_due, clock.now()))
        raise RuntimeError("simulation did not settle")
