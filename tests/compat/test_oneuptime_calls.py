"""A policy made through the OneUptime API is routed for real: simulated calls to its number,
followed through the native call record and OneUptime's call logs."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.compat.oneuptime.policies.schemas import GREETING, NEXT_ENGINEER, NO_ANSWER
from callroute.timers.runner import Runner
from tests import callsetup, factories
from tests.compat.oneuptime_calls import (
    NUMBER,
    dial,
    hotline,
    items_of,
    log_of,
    record,
    ring_commands,
    rung,
    said,
)
from tests.compat.oneuptime_support import POLICIES, RULES, create_rule, ok
from tests.conftest import Tenant


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_the_first_rules_member_answers_after_the_greeting(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant)
    placed = await dial(client, tenant, phones={"Ann": "answer"})
    await callsetup.settle(ctx)

    call = await record(client, tenant, placed["id"])
    assert call["router_id"] == line.policy["_id"]
    assert (call["status"], call["answered_by"]) == ("completed", line.members["Ann"]["id"])
    assert [(leg["member_name"], leg["status"]) for leg in call["legs"]] == [("Ann", "completed")]
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert said(entries)[0] == GREETING  # OneUptime's default greeting, said first
    # Responders see the policy's own number, as OneUptime's callerId does.
    assert [c["caller_id"] for c in ring_commands(entries)] == [NUMBER]

    log = await log_of(client, tenant, placed["id"])
    assert log["status"] == "Completed"
    assert log["incomingCallPolicyId"] == line.policy["_id"]
    assert log["answeredByUserId"] == line.members["Ann"]["id"]
    assert (log["callerPhoneNumber"], log["routingPhoneNumber"]) == ("+442071838750", NUMBER)
    assert log["endedAt"] is not None
    assert log["callDurationInSeconds"] > 0
    items = await items_of(client, tenant, placed["id"])
    assert [(i["userId"], i["status"], i["isAnswered"]) for i in items] == [
        (line.members["Ann"]["id"], "Connected", True)
    ]
    assert items[0]["incomingCallPolicyEscalationRuleId"] == line.rules[0]["_id"]
    assert items[0]["dialDurationInSeconds"] > 0


async def test_an_unanswered_rule_escalates_after_its_seconds_to_the_next(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant, rules=[("Ann", 20), ("Bob", 25)])
    placed = await dial(client, tenant, phones={"Ann": "no-answer", "Bob": "answer"})
    await callsetup.settle(ctx)

    call = await record(client, tenant, placed["id"])
    legs = {leg["member_name"]: leg for leg in call["legs"]}
    assert (legs["Ann"]["status"], legs["Bob"]["status"]) == ("no_answer", "completed")
    waited = _at(legs["Bob"]["started_at"]) - _at(legs["Ann"]["started_at"])
    assert waited.total_seconds() == 20  # rule 1's escalateAfterSeconds
    assert (legs["Ann"]["level"], legs["Bob"]["level"]) == (0, 1)
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert said(entries) == [GREETING, NEXT_ENGINEER]
    ring_timeouts = [c["timeout_seconds"] for c in ring_commands(entries)]
    assert ring_timeouts == [20, 25]

    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["answeredByUserId"]) == ("Completed", line.members["Bob"]["id"])
    assert log["currentEscalationRuleOrder"] == 2
    items = await items_of(client, tenant, placed["id"])
    assert [(i["status"], i["isAnswered"]) for i in items] == [
        ("NoAnswer", False),
        ("Connected", True),
    ]
    assert [i["incomingCallPolicyEscalationRuleId"] for i in items] == [
        r["_id"] for r in line.rules
    ]


async def test_nobody_answers_so_the_rules_repeat_n_times_then_the_no_answer_message(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await hotline(
        client,
        tenant,
        repeatPolicyIfNoOneAnswers=True,
        repeatPolicyIfNoOneAnswersTimes=2,
        noAnswerMessage="Nobody picked up. Please call again.",
    )
    placed = await dial(client, tenant, default="no-answer")
    await callsetup.settle(ctx)

    call = await record(client, tenant, placed["id"])
    assert (call["status"], call["reason"]) == ("missed", "nobody answered")
    # times = 2 rings the whole list three times, as OneUptime's repeat count does.
    assert [(leg["member_name"], leg["round"]) for leg in call["legs"]] == [
        ("Ann", 0),
        ("Bob", 0),
        ("Ann", 1),
        ("Bob", 1),
        ("Ann", 2),
        ("Bob", 2),
    ]
    assert call["recordings"] == []  # OneUptime has no voicemail: the message, then goodbye
    entries = await callsetup.timeline(client, tenant, placed["id"])
    commands = [e["detail"] for e in entries if e["kind"] == "command"]
    assert [c["type"] for c in commands[-2:]] == ["say", "hangup"]
    assert commands[-2]["prompt"]["text"] == "Nobody picked up. Please call again."
    assert said(entries) == [GREETING] + [NEXT_ENGINEER] * 5 + [commands[-2]["prompt"]["text"]]
    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["repeatCount"], log["statusMessage"]) == (
        "NoAnswer",
        2,
        "nobody answered",
    )


async def test_without_repeat_the_rules_ring_once(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await hotline(
        client, tenant, repeatPolicyIfNoOneAnswers=False, repeatPolicyIfNoOneAnswersTimes=5
    )
    placed = await dial(client, tenant, default="no-answer")
    await callsetup.settle(ctx)
    call = await record(client, tenant, placed["id"])
    assert [leg["member_name"] for leg in call["legs"]] == ["Ann", "Bob"]
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert said(entries)[-1] == NO_ANSWER  # OneUptime's default no-answer message


async def test_nobody_on_call_hears_the_no_one_available_message_at_once(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant, rules=[], noOneAvailableMessage="Nobody is on call.")
    # A schedule whose rotation starts later today: nobody is on call yet.
    schedule = await factories.schedule(client, tenant, [line.members["Ann"]["id"]])
    await create_rule(
        client,
        tenant,
        incomingCallPolicyId=line.policy["_id"],
        onCallDutyPolicyScheduleId=schedule["id"],
    )
    placed = await dial(client, tenant)
    await callsetup.settle(ctx)
    call = await record(client, tenant, placed["id"])
    assert (call["status"], call["reason"], call["legs"]) == ("missed", "nobody available", [])
    entries = await callsetup.timeline(client, tenant, placed["id"])
    # callroute always ends with the fallback: here the no-answer message, then goodbye.
    assert said(entries) == [GREETING, "Nobody is on call.", NO_ANSWER]
    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["statusMessage"]) == (
        "Failed",
        "No on-call user available in any escalation rule",
    )


async def test_rules_ring_a_schedules_on_call_member_and_a_team_in_order(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant, rules=[])
    ann, bob, chris = (line.members[n]["id"] for n in ("Ann", "Bob", "Chris"))
    schedule = await factories.schedule(client, tenant, [chris])
    team = await factories.post(client, tenant, "teams", {"name": "SRE", "member_ids": [bob, ann]})
    policy_id = line.policy["_id"]
    await create_rule(client, tenant, incomingCallPolicyId=policy_id, teamId=team["id"])
    # Created last, ordered first.
    await create_rule(
        client,
        tenant,
        incomingCallPolicyId=policy_id,
        order=1,
        onCallDutyPolicyScheduleId=schedule["id"],
    )
    assert isinstance(ctx.clock, FrozenClock)
    ctx.clock.set(_at("2026-03-03T12:00:00+00:00"))  # Chris's rotation has begun
    placed = await dial(client, tenant, default="no-answer")
    await callsetup.settle(ctx)
    call = await record(client, tenant, placed["id"])
    assert [leg["member_name"] for leg in call["legs"]] == ["Chris", "Bob", "Ann"]


async def test_a_disabled_policy_refuses_calls_and_says_so(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant)
    await ok(
        client, "PUT", f"{POLICIES}/{line.policy['_id']}", tenant, {"data": {"isEnabled": False}}
    )
    placed = await dial(client, tenant)
    await callsetup.settle(ctx)
    call = await record(client, tenant, placed["id"])
    assert (call["status"], call["reason"], call["legs"]) == (
        "failed",
        "the router is disabled",
        [],
    )
    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["statusMessage"]) == ("Failed", "Policy is disabled")
    assert log["endedAt"] == log["startedAt"]


async def test_the_greeting_is_the_policys_own_or_none(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant, greetingMessage="Acme on-call line.")
    first = await dial(client, tenant, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    assert said(await callsetup.timeline(client, tenant, first["id"])) == ["Acme on-call line."]
    url = f"{POLICIES}/{line.policy['_id']}"
    await ok(client, "PUT", url, tenant, {"data": {"greetingMessage": None}})
    second = await dial(client, tenant, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    assert said(await callsetup.timeline(client, tenant, second["id"])) == []


async def test_rules_edited_after_a_call_started_are_not_guessed_for_its_items(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant)
    placed = await dial(client, tenant, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    await ok(client, "PUT", f"{RULES}/{line.rules[1]['_id']}", tenant, {"data": {"order": 1}})
    items = await items_of(client, tenant, placed["id"])
    assert [i["incomingCallPolicyEscalationRuleId"] for i in items] == [None]
    assert rung(await callsetup.timeline(client, tenant, placed["id"]))[0]["member_name"] == "Ann"


async def test_the_log_follows_the_hunt_while_it_runs(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await hotline(client, tenant)
    placed = await dial(client, tenant, default="no-answer")
    assert isinstance(ctx.clock, FrozenClock)
    start = ctx.clock.now()
    runner = Runner(ctx, worker_id="step")
    await runner.drain(ctx.clock, until=start)
    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["currentEscalationRuleOrder"], log["endedAt"]) == (
        "Ringing",
        1,
        None,
    )
    await runner.drain(ctx.clock, until=start + timedelta(seconds=21))
    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["currentEscalationRuleOrder"]) == ("Escalated", 2)
    items = await items_of(client, tenant, placed["id"])
    assert [i["status"] for i in items] == ["NoAnswer", "Ringing"]
    await callsetup.settle(ctx)
    log = await log_of(client, tenant, placed["id"])
    assert (log["status"], log["currentEscalationRuleOrder"]) == ("NoAnswer", 2)
    assert log["endedAt"] is not None
