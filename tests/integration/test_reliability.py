"""Correct under failure: restarts, duplicates, several workers, a database that goes away."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.config import Settings
from callroute.db.session import Database
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.models import Call, Timer
from callroute.outgoing_webhooks import delivery as webhooks
from callroute.timers.runner import Runner
from callroute.timers.store import TimerStore
from tests import callsetup
from tests.conftest import Tenant
from tests.integration.test_call_flow import rung_numbers


async def test_a_call_continues_at_the_right_level_after_every_process_is_replaced(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, settings: Settings
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    assert isinstance(ctx.clock, FrozenClock)
    first = Runner(ctx, worker_id="first")
    await first.drain(
        ctx.clock, until=ctx.clock.now() + timedelta(seconds=25)
    )  # Ann has rung out, Bob is ringing
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert set(rung_numbers(entries)) == {"r0-l0-a0-n0", "r0-l0-a1-n0"}
    # A brand-new process: new engine, new pool, new runner; only the database carries over.
    fresh = AppContext(settings=settings, db=Database(settings.database_url), clock=ctx.clock)
    try:
        await Runner(fresh, worker_id="second").drain(ctx.clock)
    finally:
        await fresh.db.dispose()
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "voicemail"
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert rung_numbers(entries) == Counter({"r0-l0-a0-n0": 1, "r0-l0-a1-n0": 1, "r0-l1-a0-n0": 1})


async def test_the_same_provider_event_twice_has_one_effect(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    assert isinstance(ctx.clock, FrozenClock)
    await Runner(ctx, worker_id="w").drain(ctx.clock, until=ctx.clock.now())
    call_id = uuid.UUID(placed["id"])
    now = ctx.clock.now()
    answered = codec.event_to_dict(m.LegAnswered("r0-l0-a0-n0"))
    accepted = codec.event_to_dict(m.Digits("1", "r0-l0-a0-n0"))
    async with ctx.db.unit_of_work() as session:
        store = TimerStore(session)
        # Delivered twice (a provider retry), and the key press before the pickup arrives
        # first (out of order) — then again in order.
        for n, (event_id, event) in enumerate(
            [("ev-1", answered), ("ev-1", answered), ("ev-0", accepted), ("ev-2", accepted)]
        ):
            await store.arm(
                "provider_event",
                now,
                now,
                call_id=call_id,
                payload={"event": event, "event_id": event_id, "provider": "test"},
                dedupe_key=f"dup-{n}",
            )
    await Runner(ctx, worker_id="w").drain(ctx.clock, until=now)
    entries = await callsetup.timeline(client, tenant, placed["id"])
    events = [e["detail"]["type"] for e in entries if e["kind"] == "event"]
    assert events.count("leg_answered") == 1
    bridges = [e for e in entries if e["kind"] == "command" and e["detail"]["type"] == "bridge"]
    assert len(bridges) == 1
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "answered"
    assert record["answered_by"] == line.members["Ann"]["id"]
    assert ctx.metrics.inbox_duplicates.labels("test")._value.get() == 1  # ev-1, the second time


# Concurrent workers are a PostgreSQL deployment: SQLite has a single writer.
@pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)
async def test_several_workers_fire_every_timer_exactly_once(
    settings: Settings, ctx: AppContext, tenant: Tenant, client: httpx.AsyncClient
) -> None:
    posts: Counter[str] = Counter()

    def receiver(request: httpx.Request) -> httpx.Response:
        posts[request.headers["Callroute-Delivery"]] += 1
        return httpx.Response(200)

    await client.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example.com/x"}, headers=tenant.headers
    )
    now = ctx.clock.now()
    async with ctx.db.unit_of_work() as session:
        for _ in range(1000):
            await webhooks.enqueue(session, tenant.project_id, "call.started", {}, now)
    workers = []
    for index in range(3):
        worker_ctx = AppContext(
            settings=settings,
            db=Database(settings.database_url),
            clock=ctx.clock,
            http=httpx.AsyncClient(transport=httpx.MockTransport(receiver)),
        )
        workers.append(Runner(worker_ctx, worker_id=f"w{index}", batch=50))

    async def work(runner: Runner) -> None:
        handled = 1
        while handled:
            handled = await runner.tick()

    try:
        await asyncio.gather(*(work(r) for r in workers))
    finally:
        for runner in workers:
            await runner.ctx.db.dispose()
    assert len(posts) == 1000
    assert set(posts.values()) == {1}
    async with ctx.db.unit_of_work(readonly=True) as session:
        assert await TimerStore(session).count() == 0


async def test_a_worker_that_died_holding_timers_is_taken_over(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, settings: Settings
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, phones={"Ann": "answer-after:2"})
    assert isinstance(ctx.clock, FrozenClock)
    now = ctx.clock.now()
    async with ctx.db.unit_of_work() as session:
        claimed = await TimerStore(session).claim("dead-worker", now, 100)
    assert claimed  # the dispatch of the first step, now held by a worker that never returns
    runner = Runner(ctx, worker_id="alive")
    assert await runner.tick() == 0  # nobody else may take them while the lease runs
    ctx.clock.set(now + timedelta(seconds=settings.timer_lease_seconds + 6))
    await runner.drain(ctx.clock)
    # The held dispatch ran once the lease expired. Ann's ring timeout, due meanwhile, waited
    # for it (a timer never fires before the commands of the steps before it reached the
    # provider) and then gave her the whole ring time from her phone's dialling: she answered
    # and took the call — late, but nothing lost and nobody rung twice.
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "completed"
    assert record["answered_by"] == line.members["Ann"]["id"]
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert set(rung_numbers(entries).values()) == {1}


async def test_an_active_call_without_pending_work_is_woken_by_the_auditor(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    assert isinstance(ctx.clock, FrozenClock)
    async with ctx.db.unit_of_work() as session:  # an operator "cleans up" the timers table
        for timer in await session.scalars(select(Timer)):
            await session.delete(timer)
    await Runner(ctx, worker_id="auditor").drain(ctx.clock)
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] in ("voicemail", "missed")
    async with ctx.db.unit_of_work(readonly=True) as session:
        call = await session.get(Call, uuid.UUID(placed["id"]))
    assert call is not None
    assert call.ended_at is not None
