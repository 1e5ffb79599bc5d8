"""Timers that run late (a backlog, as in a call storm) must not cut a responder's ring time
short: the ring timeout counts from when the phone is dialled, not from when the engine
decided to ring it. Both databases, the simulator's phones, virtual time."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from tests import callsetup
from tests.conftest import Tenant

RING_SECONDS = 20  # callsetup's levels


async def test_a_late_dispatch_still_gives_the_responder_the_whole_ring_time(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    # Ann picks up 6 s after her phone starts ringing and presses 1: within her 20 s.
    placed = await callsetup.place(client, tenant, line, phones={"Ann": "answer-after:6"})
    assert placed["status"] == "ringing_responders"
    assert isinstance(ctx.clock, FrozenClock)
    # The dispatch that dials Ann is held back 18 s: the workers are behind.
    ctx.clock.advance(timedelta(seconds=18))
    await callsetup.settle(ctx)

    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "completed"
    assert record["answered_by"] == line.members["Ann"]["id"]
    [ann] = record["legs"]  # nobody else was rung
    assert ann["member_name"] == "Ann"
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert not [e for e in entries if e["kind"] == "ring_timeout"]


async def test_a_ring_timeout_due_before_the_dispatch_ran_waits_for_it(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, phones={"Ann": "answer-after:6"})
    assert isinstance(ctx.clock, FrozenClock)
    # Held back longer than the ring time itself: the ring timeout and the dispatch that
    # dials Ann are both due when the workers get to them.
    ctx.clock.advance(timedelta(seconds=RING_SECONDS + 5))
    await callsetup.settle(ctx)

    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "completed"
    assert [leg["member_name"] for leg in record["legs"]] == ["Ann"]


async def test_a_responder_who_never_answers_is_given_up_on_after_the_ring_time_from_the_dial(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    assert isinstance(ctx.clock, FrozenClock)
    decided = ctx.clock.now()
    ctx.clock.advance(timedelta(seconds=18))
    await callsetup.settle(ctx)

    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "voicemail"
    assert [leg["member_name"] for leg in record["legs"]] == ["Ann", "Bob", "Chris"]
    # Dialled 18 s late, Ann's 20 s ran out at 38 s, not at 20 s (her phone's own no-answer
    # and the ring timeout fall at the same instant; either ends her leg).
    ann = record["legs"][0]
    assert ann["status"] == "no_answer"
    ended = datetime.fromisoformat(ann["ended_at"])
    assert ended - decided == timedelta(seconds=18 + RING_SECONDS)
