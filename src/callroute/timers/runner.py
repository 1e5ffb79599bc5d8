"""The timer runner: claims due timers and carries them out.

``callroute serve`` runs one in-process (the embedded default needs nothing else);
``callroute worker`` runs only this. Any number of them may share one PostgreSQL database.
The claim, lease and fence protocol is described in docs/architecture.md; in short:

- a worker claims only as many due timers as it can start at once (free slots), each with a
  lease, and renews the lease (a heartbeat) for as long as it works on the timer;
- most timers are carried out in one transaction together with their deletion; the ones that
  wait on a network (a provider's REST API, an outgoing webhook) are *staged*: a short
  transaction to read and record what is to be done, the network with no transaction held,
  a short transaction to record what happened and delete the timer;
- every effect is idempotent (fence tokens, the inbox, recorded intents), so a lease that was
  lost never rolls back work that was done: the worker that took the timer over finds it done;
- nothing that happens inside a tick ends the loop: a failing database is waited out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.app_context import AppContext
from callroute.calls import dispatch, inbox_repository
from callroute.calls.repository import lock_call
from callroute.calls.runtime import CallRuntime
from callroute.calls.trouble import note_provider_trouble
from callroute.clock import FrozenClock
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import ProviderUnavailable
from callroute.outgoing_webhooks import delivery as webhooks
from callroute.timers.auditor import audit
from callroute.timers.store import Claimed, TimerStore

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 10
REAP_EVERY = timedelta(seconds=5)
AUDIT_EVERY = timedelta(seconds=30)


def reason(exc: BaseException) -> str:
    """One line about an exception, even one whose message is empty."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Job:
    """A claimed timer while this worker carries it out."""

    def __init__(self, runner: Runner, timer: Claimed) -> None:
        self.runner = runner
        self.timer = timer

    @property
    def call_id(self) -> uuid.UUID:
        assert self.timer.call_id is not None, f"a {self.timer.kind} timer names its call"
        return self.timer.call_id

    async def finish(self, session: AsyncSession) -> bool:
        """Delete the timer with the work's last transaction. A lost lease is only logged: the
        work stands, and the worker that holds the timer now will find it done."""
        if await TimerStore(session).finish(self.timer.id, self.runner.worker_id):
            return True
        log.warning("timer_lease_lost", timer_id=str(self.timer.id), kind=self.timer.kind)
        return False


# A timer carried out in one transaction, which also deletes it.
InTransaction = Callable[["Runner", AsyncSession, Claimed, datetime], Awaitable[None]]
# A timer whose work waits on a network: it opens its own transactions, and deletes the timer
# in its last one (Job.finish).
Staged = Callable[["Runner", Job, datetime], Awaitable[None]]


class NotYet(Exception):
    """The timer may not fire yet: it is given back, due again shortly (no attempt counted)."""


# How soon a timer that waits on its call's dispatch is looked at again.
WAIT_FOR_DISPATCH = timedelta(milliseconds=250)


async def _engine(runner: Runner, session: AsyncSession, timer: Claimed, now: datetime) -> None:
    """An engine timer fires only after the steps before it reached the provider: a ring
    timeout that fell due while the dispatch ringing those phones was still waiting (a
    backlog) or still out (a slow provider) would cut the ring time short, or end legs that
    were never dialled. Checked under the call's lock, which the dispatch's last transaction
    also takes (and where it moves the ring timeout: dispatch.give_ring_time)."""
    assert timer.call_id is not None
    call = await lock_call(session, timer.call_id)
    if call is None:
        return
    if await TimerStore(session).waits(timer, now):
        raise NotYet
    event = m.TimerFired(str(timer.payload["kind"]), str(timer.payload["token"]))
    await CallRuntime(session).apply(call, event, now)


async def _provider_event(
    runner: Runner, session: AsyncSession, timer: Claimed, now: datetime
) -> None:
    assert timer.call_id is not None
    event = codec.event_from_dict(timer.payload["event"])
    provider = str(timer.payload.get("provider", "simulator"))
    call = await lock_call(session, timer.call_id)
    if call is None:
        return
    if await inbox_repository.accept(
        session, provider, str(timer.payload["event_id"]), call.id, now
    ):
        await CallRuntime(session).apply(call, event, now)


async def _provider_task(runner: Runner, job: Job, now: datetime) -> None:
    """Work a provider does about a call later on (Twilio: fetch what the call cost)."""
    await dispatch.run_task(runner.ctx, job.call_id, job.timer.payload, now, job.finish)


async def _dispatch(runner: Runner, job: Job, now: datetime) -> None:
    await dispatch.carry_out(runner.ctx, job.call_id, job.timer.payload, now, job.finish)


async def _webhook(runner: Runner, job: Job, now: datetime) -> None:
    await webhooks.deliver(
        runner.ctx.db,
        uuid.UUID(str(job.timer.payload["delivery_id"])),
        runner.ctx.http,
        runner.ctx.secret_keys,
        now,
        job.finish,
        allow_private=runner.ctx.settings.webhooks_allow_private_destinations,
    )


IN_TRANSACTION: dict[str, InTransaction] = {"engine": _engine, "provider_event": _provider_event}
STAGED: dict[str, Staged] = {
    "dispatch": _dispatch,
    "webhook": _webhook,
    "provider_task": _provider_task,
}


@dataclass
class RunnerHealth:
    """What /readyz reports about a runner: is its loop alive, and does it get through?"""

    running: bool = False
    last_cycle: float | None = None  # time.monotonic() at the end of the last loop cycle
    last_success: float | None = None  # ... of the last cycle that reached the database
    last_error: str | None = None
    in_flight: int = 0
    stale_after: float = 30.0  # seconds without a completed cycle before it is "stuck"

    def describe(self) -> dict[str, object]:
        now = time.monotonic()
        age = None if self.last_cycle is None else round(now - self.last_cycle, 3)
        since = None if self.last_success is None else round(now - self.last_success, 3)
        return {
            "running": self.running,
            "seconds_since_cycle": age,
            "seconds_since_database": since,
            "in_flight": self.in_flight,
            "last_error": self.last_error,
        }

    @property
    def ready(self) -> bool:
        if not self.running or self.last_cycle is None:
            return False
        return time.monotonic() - self.last_cycle < self.stale_after


@dataclass
class _Slots:
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


class Runner:
    def __init__(
        self,
        ctx: AppContext,
        *,
        worker_id: str | None = None,
        batch: int = 100,
        concurrency: int = 8,
        poll_interval: float = 0.1,
        failure_pause: float = 1.0,
        call_id: uuid.UUID | None = None,
    ) -> None:
        """``call_id``: work on that call's timers only, and leave every other call's (and
        the housekeeping) to the workers of the database; for a simulated call on a virtual
        clock, which must never fire another call's timers early."""
        self.ctx = ctx
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.failure_pause = failure_pause
        self.call_id = call_id
        self.health = RunnerHealth()
        self._lease = timedelta(seconds=ctx.settings.timer_lease_seconds)
        self._slots = _Slots()
        self._wake = asyncio.Event()
        self._last_reap: datetime | None = None
        self._last_audit: datetime | None = None

    def kick(self) -> None:
        """Look for due timers now (after a request wrote some) instead of at the next poll."""
        self._wake.set()

    # -- claiming ------------------------------------------------------------------------------

    async def _claim(self, limit: int, now: datetime) -> list[Claimed]:
        async with self.ctx.db.unit_of_work() as session:
            claimed = await TimerStore(session).claim(
                self.worker_id, now, limit, lease=self._lease, call_id=self.call_id
            )
        for timer in claimed:
            self.ctx.metrics.timer_lateness.labels(timer.kind).observe(
                max(0.0, (now - timer.due_at).total_seconds())
            )
        return claimed

    async def tick(self) -> int:
        """Claim what is due, as much as can run at once, carry it out and wait for it;
        again until nothing more is due (or ``batch`` were handled). For tests and
        simulations; ``run`` keeps its slots busy without waiting for the slowest."""
        now = self.ctx.clock.now()
        await self._housekeeping(now)
        handled = 0
        while handled < self.batch:
            limit = min(self.concurrency, self.batch - handled)
            claimed = await self._claim(limit, now)
            await asyncio.gather(*(self.process(timer) for timer in claimed))
            handled += len(claimed)
            if len(claimed) < limit:
                break
        return handled

    # -- carrying out one timer ----------------------------------------------------------------

    async def process(self, timer: Claimed) -> None:
        """Carry out one claimed timer; never raises (a failure is retried later)."""
        now = self.ctx.clock.now()
        heartbeat = asyncio.create_task(self._heartbeat(timer))
        try:
            staged = STAGED.get(timer.kind)
            if staged is not None:
                await staged(self, Job(self, timer), now)
            else:
                async with self.ctx.db.unit_of_work() as session:
                    await IN_TRANSACTION[timer.kind](self, session, timer, now)
                    await Job(self, timer).finish(session)
        except NotYet:
            await self._defer(timer, now + WAIT_FOR_DISPATCH)
        except Exception as exc:
            await self._retry_later(timer, exc, now)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _heartbeat(self, timer: Claimed) -> None:
        """Renew the lease while the timer is worked on: the lease measures a worker's
        silence, not the length of its work."""
        period = max(0.05, self._lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(period)
            try:
                async with self.ctx.db.unit_of_work() as session:
                    kept = await TimerStore(session).renew(
                        timer.id, self.worker_id, self.ctx.clock.now() + self._lease
                    )
            except Exception as exc:  # the database is away: try again next period
                log.warning("timer_heartbeat_failed", timer_id=str(timer.id), error=reason(exc))
                continue
            if not kept:
                log.warning("timer_lease_lost", timer_id=str(timer.id), kind=timer.kind)
                return

    async def _defer(self, timer: Claimed, retry_at: datetime) -> None:
        try:
            async with self.ctx.db.unit_of_work() as session:
                await TimerStore(session).defer(timer.id, self.worker_id, retry_at)
        except Exception as exc:  # the database is away: the lease will expire
            log.warning("timer_release_failed", timer_id=str(timer.id), error=reason(exc))

    async def _retry_later(self, timer: Claimed, exc: Exception, now: datetime) -> None:
        give_up = timer.attempts >= MAX_ATTEMPTS
        # A log line that cannot be written must not stop the runner either.
        with contextlib.suppress(Exception):
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
                    retry_in = None if give_up else int(backoff.total_seconds())
                    await note_provider_trouble(
                        session, timer.call_id, exc.message, timer.attempts, retry_in, now
                    )
        except Exception as second:  # the database itself is away: the lease will expire
            log.warning("timer_release_failed", timer_id=str(timer.id), error=reason(second))

    # -- housekeeping --------------------------------------------------------------------------

    async def _housekeeping(self, now: datetime) -> None:
        if self.call_id is not None:
            return  # a worker on one call's virtual clock leaves the database's work alone
        if self._last_reap is None or now - self._last_reap >= REAP_EVERY:
            self._last_reap = now
            async with self.ctx.db.unit_of_work() as session:
                reaped = await TimerStore(session).reap(now)
            if reaped:
                log.warning("timer_leases_reaped", count=reaped)
        if self._last_audit is None or now - self._last_audit >= AUDIT_EVERY:
            self._last_audit = now
            await audit(self.ctx, now)

    # -- the loop ------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Keep every slot busy with due timers until ``stop`` is set. Nothing raised inside
        a cycle ends the loop: an unreachable database is waited out, and timers resume by
        themselves when it answers again."""
        log.info("timer_runner_started", worker=self.worker_id)
        self.health.running = True
        self.health.stale_after = max(30.0, 10 * self.failure_pause)
        try:
            while not stop.is_set():
                full = False
                try:
                    full = await self._cycle()
                except Exception as exc:
                    self._failed_cycle(exc)
                    await _sleep_unless(stop, self.failure_pause)
                    continue
                self.health.last_cycle = self.health.last_success = time.monotonic()
                self.health.last_error = None
                if full:
                    continue  # more may be due: claim again as soon as a slot frees
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
        finally:
            self.health.running = False
            if self._slots.tasks:  # let work in flight finish: its leases would only expire
                await asyncio.gather(*self._slots.tasks, return_exceptions=True)
            log.info("timer_runner_stopped", worker=self.worker_id)

    def _failed_cycle(self, exc: Exception) -> None:
        self.health.last_cycle = time.monotonic()
        with contextlib.suppress(Exception):  # nothing about a failure may end the loop
            self.health.last_error = reason(exc)
            log.warning("timer_runner_tick_failed", error=self.health.last_error)

    async def _cycle(self) -> bool:
        """Claim due timers for the free slots and start them; True when every free slot was
        filled (more may be due)."""
        now = self.ctx.clock.now()
        await self._housekeeping(now)
        free = min(self.batch, self.concurrency - len(self._slots.tasks))
        if free <= 0:
            await self._slot_freed()
            return False
        claimed = await self._claim(free, now)
        for timer in claimed:
            task = asyncio.create_task(self.process(timer))
            self._slots.tasks.add(task)
            task.add_done_callback(self._done)
        self.health.in_flight = len(self._slots.tasks)
        return len(claimed) == free

    def _done(self, task: asyncio.Task[None]) -> None:
        self._slots.tasks.discard(task)
        self.health.in_flight = len(self._slots.tasks)
        self._wake.set()  # a slot is free: look for more work

    async def _slot_freed(self) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)

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
                next_due = await TimerStore(session).next_due(call_id=self.call_id)
            if next_due is None or (until is not None and next_due > until):
                if until is not None and clock.now() < until:
                    clock.set(until)
                return handled
            clock.set(max(next_due, clock.now()))
        raise RuntimeError("simulation did not settle")


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
