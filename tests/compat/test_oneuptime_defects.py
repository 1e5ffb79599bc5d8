"""Where OneUptime's incoming call routing is known to go wrong, callroute does not: each
defect of the reference, shown through the call logs a OneUptime client reads."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.timers.runner import Runner
from callroute.timers.store import TimerStore
from tests import callsetup
from tests.compat.oneuptime_calls import dial, hotline, items_of, log_of, record, rung
from tests.compat.oneuptime_support import LOGS, get_list
from tests.conftest import Tenant


async def test_the_caller_hanging_up_while_an_engineer_rings_ends_the_log(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    # OneUptime treats the hang-up as "no answer" and goes on escalating and repeating.
    line = await hotline(
        client, tenant, repeatPolicyIfNoOneAnswers=True, repeatPolicyIfNoOneAnswersTimes=3
    )
    placed = await dial(client, tenant, default="no-answer", hangup_after=11)
    await callsetup.settle(ctx)

    call = await record(client, tenant, placed["id"])
    assert (call["status"], call["reason"]) == ("missed", "caller hung up during ringing")
    assert [leg["member_name"] for leg in call["legs"]] == ["Ann"]  # nobody else dialled
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert [leg["member_name"] for leg in rung(entries)] == ["Ann"]
    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["repeatCount"]) == ("CallerHungUp", 0)
    assert log["callDurationInSeconds"] == 11
    items = await items_of(client, tenant, placed["id"])
    assert [(i["userId"], i["status"]) for i in items] == [
        (line.members["Ann"]["id"], "CallerHungUp")
    ]
    assert items[0]["endedAt"] == log["endedAt"]


async def test_a_hang_up_during_the_second_rule_keeps_the_first_as_no_answer(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await hotline(client, tenant)
    placed = await dial(client, tenant, default="no-answer", hangup_after=30)
    await callsetup.settle(ctx)
    items = await items_of(client, tenant, placed["id"])
    assert [i["status"] for i in items] == ["NoAnswer", "CallerHungUp"]
    assert (await log_of(client, tenant, placed["id"]))["status"] == "CallerHungUp"


async def test_repeated_and_late_callbacks_change_nothing(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    # OneUptime processes a retried dial-status callback again, and one after the call ended.
    line = await hotline(client, tenant)
    placed = await dial(client, tenant, phones={"Ann": "answer-after:2"})
    await callsetup.settle(ctx)
    log = await log_of(client, tenant, placed["id"])
    items = await items_of(client, tenant, placed["id"])
    events_before = await callsetup.timeline(client, tenant, placed["id"])
    assert log["status"] == "Completed"

    assert isinstance(ctx.clock, FrozenClock)
    ctx.clock.advance(timedelta(seconds=30))
    now = ctx.clock.now()
    leg = "r0-l0-a0-n0"
    late: list[tuple[str, m.Event]] = [
        ("retry-1", m.LegAnswered(leg)),
        ("retry-1", m.LegAnswered(leg)),  # the same delivery twice
        ("late-2", m.LegEnded(leg, m.LegStatus.NO_ANSWER)),  # a stale "no-answer"
        ("late-3", m.Digits("1", leg)),
        ("late-4", m.LegEnded("r0-l1-a0-n0", m.LegStatus.NO_ANSWER)),  # a leg never dialled
    ]
    async with ctx.db.unit_of_work() as session:
        for n, (event_id, event) in enumerate(late):
            await TimerStore(session).arm(
                "provider_event",
                now,
                now,
                call_id=uuid.UUID(placed["id"]),
                payload={
                    "event": codec.event_to_dict(event),
                    "event_id": event_id,
                    "provider": "simulator",
                },
                dedupe_key=f"late-{n}",
            )
    await Runner(ctx, worker_id="late").drain(ctx.clock)

    assert await log_of(client, tenant, placed["id"]) == log
    assert await items_of(client, tenant, placed["id"]) == items
    events_after = await callsetup.timeline(client, tenant, placed["id"])
    new = events_after[len(events_before) :]
    assert not [e for e in new if e["kind"] == "command"]  # nothing dialled, said or bridged
    assert rung(events_after) == rung(events_before)
    assert (await record(client, tenant, placed["id"]))["answered_by"] == line.members["Ann"]["id"]


async def test_the_answering_member_is_recorded(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    # OneUptime never sets answeredByUserId.
    line = await hotline(client, tenant)
    placed = await dial(client, tenant, phones={"Ann": "busy", "Bob": "answer"})
    await callsetup.settle(ctx)
    log = await log_of(client, tenant, placed["id"])
    bob = line.members["Bob"]["id"]
    assert log["answeredByUserId"] == bob
    by_answerer = await get_list(
        client,
        tenant,
        LOGS,
        select={"answeredByUser": {"name": True}, "status": True},
        query={"answeredByUserId": bob},
    )
    assert by_answerer["data"] == [
        {"_id": placed["id"], "status": "Completed", "answeredByUser": {"_id": bob, "name": "Bob"}}
    ]
    items = await items_of(client, tenant, placed["id"])
    assert [(i["status"], i["isAnswered"]) for i in items] == [("Busy", False), ("Connected", True)]


async def test_a_personal_voicemail_picking_up_is_not_an_answer(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    # OneUptime's hunt ends "answered" when an engineer's voicemail takes the call.
    line = await hotline(client, tenant)
    placed = await dial(client, tenant, phones={"Ann": "voicemail", "Bob": "answer"})
    await callsetup.settle(ctx)
    call = await record(client, tenant, placed["id"])
    assert [(leg["member_name"], leg["status"]) for leg in call["legs"]] == [
        ("Ann", "no_answer"),
        ("Bob", "completed"),
    ]
    items = await items_of(client, tenant, placed["id"])
    assert [(i["userId"], i["status"], i["isAnswered"]) for i in items] == [
        (line.members["Ann"]["id"], "NoAnswer", False),
        (line.members["Bob"]["id"], "Connected", True),
    ]
    log = await log_of(client, tenant, placed["id"])
    assert log["answeredByUserId"] == line.members["Bob"]["id"]
