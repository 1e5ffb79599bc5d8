"""Calls to a number whose router was made through Rootly's API are routed by the engine:
voicemail and live routers, calling trees in target order with ``*`` to repeat, the waiting
music, the voicemail redirect, the responder message and the alert each call raises."""

from __future__ import annotations

from typing import Any

import httpx

from callroute.app_context import AppContext
from callroute.compat.rootly.schemas import DEFAULT_CALLER_GREETING
from tests import callsetup, factories
from tests.compat import rootly_support as rs
from tests.compat.rootly_support import CLOCKWORK_WALTZ
from tests.conftest import Tenant

CALLER = "+442071838750"
JSON = dict[str, Any]


async def call(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, router: JSON, **script: Any
) -> tuple[JSON, list[JSON]]:
    """Place a simulated call to the router's number, run it to the end; the call record
    and its timeline."""
    body = {"to": router["attributes"]["phone_number"], "from": CALLER, **script}
    placed = await factories.post(client, tenant, "simulator/calls", body)
    await callsetup.settle(ctx)
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["router_id"] == router["id"]
    return record, await callsetup.timeline(client, tenant, placed["id"])


def commands(entries: list[JSON], kind: str) -> list[JSON]:
    return [e["detail"] for e in entries if e["kind"] == "command" and e["detail"]["type"] == kind]


def notes(entries: list[JSON], kind: str) -> list[JSON]:
    return [e["detail"] for e in entries if e["kind"] == kind]


def rung(entries: list[JSON]) -> list[str]:
    return [leg["member_name"] for c in commands(entries, "ring_legs") for leg in c["legs"]]


async def alerts(client: httpx.AsyncClient, tenant: Tenant) -> list[JSON]:
    data: list[JSON] = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()["data"]
    return data


async def test_a_voicemail_router_takes_a_message_for_its_target(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    router = await rs.create(
        client,
        tenant,
        rs.minimal(
            d,
            voicemail_greeting="Checkout is down? Leave a message.",
            paging_targets=[d.target("functionality", "medium")],
        ),
    )
    record, entries = await call(client, tenant, ctx, router, message_seconds=12)

    assert record["status"] == "voicemail"
    assert record["legs"] == []  # nobody is rung: it is a voicemail router
    assert commands(entries, "gather") == []
    assert [r["greeting"]["text"] for r in commands(entries, "record")] == [
        "Checkout is down? Leave a message."
    ]
    assert record["recordings"][0]["duration_seconds"] == 12
    [alert] = await alerts(client, tenant)
    assert alert["summary"] == f"Call from {CALLER} to Checkout"
    assert (alert["target_type"], alert["target_id"]) == ("service", d.functionality["id"])
    assert alert["urgency"] == "medium"
    assert alert["recording_url"] == record["recordings"][0]["url"]


async def test_a_router_created_without_a_caller_greeting_says_the_one_it_reads_back(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    """Rootly's own acceptance test (terraform-provider-rootly): a router created with only
    the voicemail greeting and one escalation policy target comes back with a caller greeting
    and a waiting music. The greeting read back is the one callers hear."""
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    assert created["attributes"]["caller_greeting"] == DEFAULT_CALLER_GREETING
    assert created["attributes"]["waiting_music_url"] == CLOCKWORK_WALTZ
    assert (await rs.fetch(client, tenant, created["id"])) == created
    router = await rs.native(client, tenant, created["id"])
    assert router["greeting"]["text"] == DEFAULT_CALLER_GREETING

    _record, entries = await call(client, tenant, ctx, created, message_seconds=5)
    assert [c["prompt"]["text"] for c in commands(entries, "say")] == [DEFAULT_CALLER_GREETING]
    assert [r["greeting"]["text"] for r in commands(entries, "record")] == [
        "Please leave a message after the tone."
    ]
    # Removed, it reads null, and callers hear none.
    cleared = await rs.update(client, tenant, created["id"], {"caller_greeting": None})
    assert cleared["attributes"]["caller_greeting"] is None
    _record, entries = await call(client, tenant, ctx, cleared, message_seconds=5)
    assert commands(entries, "say") == []


async def test_a_live_router_offers_its_targets_in_order_and_star_repeats(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    router = await rs.create(
        client,
        tenant,
        rs.minimal(
            d,
            kind="live",
            caller_greeting="Thanks for calling ACME on-call.",
            calling_tree_prompt="Press 1 for Security, 2 for Database, 3 for the primary rota.",
            paging_targets=[
                d.target("service", "high"),
                d.target("team", "low"),
                d.target("escalation_policy", "medium"),
            ],
            should_auto_resolve_alert_on_call_end=True,
        ),
    )
    record, entries = await call(
        client, tenant, ctx, router, digits=["*", "2"], phones={"Bob": "answer"}
    )

    assert record["status"] == "completed"
    assert record["answered_by"] == d.members["Bob"]["id"]
    says = [c["prompt"]["text"] for c in commands(entries, "say")]
    assert says[0] == "Thanks for calling ACME on-call."
    prompts = [c["prompt"]["text"] for c in commands(entries, "gather")]
    assert prompts == ["Press 1 for Security, 2 for Database, 3 for the primary rota."] * 2
    assert len(notes(entries, "menu_repeated")) == 1
    assert [n["digit"] for n in notes(entries, "menu_choice")] == ["2"]
    assert rung(entries) == ["Bob"]  # the Database team: Bob, then Chris
    # The caller waits with Rootly's default waiting music while responders are called.
    assert [h["music_url"] for h in commands(entries, "hold")] == [CLOCKWORK_WALTZ]
    [alert] = await alerts(client, tenant)
    assert (alert["target_type"], alert["target_id"]) == ("team", d.team["id"])
    assert alert["urgency"] == "low"
    assert alert["summary"] == f"Call from {CALLER} to Database"
    assert alert["acknowledged_by"] == d.members["Bob"]["id"]
    assert alert["status"] == "resolved"  # should_auto_resolve_alert_on_call_end


async def test_each_digit_reaches_its_target(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    router = await rs.create(
        client,
        tenant,
        rs.minimal(
            d,
            kind="live",
            alert_urgency_id=d.urgencies["high"],
            calling_tree_prompt="1 for checkout, 2 for the database team.",
            paging_targets=[d.target("functionality", None), d.target("team", None)],
        ),
    )
    first, entries = await call(client, tenant, ctx, router, digits=["1"], phones={"Ann": "answer"})
    assert first["answered_by"] == d.members["Ann"]["id"]  # Checkout's policy starts with Ann
    assert rung(entries) == ["Ann"]
    second, entries = await call(
        client, tenant, ctx, router, digits=["2"], phones={"Chris": "answer"}
    )
    assert second["answered_by"] == d.members["Chris"]["id"]
    assert rung(entries) == ["Bob", "Chris"]
    targets = [
        (a["target_type"], a["target_id"], a["urgency"]) for a in await alerts(client, tenant)
    ]
    assert sorted(targets) == sorted(
        [("service", d.functionality["id"], "high"), ("team", d.team["id"], "high")]
    )


async def test_nobody_answering_sends_the_caller_to_voicemail_after_the_delay(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    router = await rs.create(
        client,
        tenant,
        rs.minimal(
            d,
            kind="live",
            paging_targets=[d.target("escalation_policy")],
            sent_to_voicemail_delay=30,
            should_redirect_to_voicemail_on_no_answer=True,
            unavailable_responder_message="Still trying the next person.",
            voicemail_greeting="Nobody answered; please leave a message.",
        ),
    )
    record, entries = await call(client, tenant, ctx, router, default="no-answer")

    assert record["status"] == "voicemail"
    assert rung(entries) == ["Ann", "Bob"]  # 20 s each: the 30 s delay ends Bob's turn
    assert "deadline" in [n["kind"] for n in notes(entries, "timer_fired")]
    says = [c["prompt"]["text"] for c in commands(entries, "say")]
    assert "Still trying the next person." in says
    assert [r["greeting"]["text"] for r in commands(entries, "record")] == [
        "Nobody answered; please leave a message."
    ]


async def test_without_the_redirect_nobody_answering_ends_the_call(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    router = await rs.create(
        client,
        tenant,
        rs.minimal(
            d,
            kind="live",
            paging_targets=[d.target("escalation_policy")],
            should_redirect_to_voicemail_on_no_answer=False,
            escalation_level_delay_in_seconds=5,
        ),
    )
    record, entries = await call(client, tenant, ctx, router, default="no-answer")
    assert record["status"] == "missed"
    assert commands(entries, "record") == []
    assert rung(entries) == ["Ann", "Bob", "Chris"]
    assert [n["kind"] for n in notes(entries, "timer_fired")].count("level_delay") == 2


async def test_an_update_through_rootlys_api_changes_how_the_next_call_is_routed(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    router = await rs.create(client, tenant, rs.minimal(d))
    before, _ = await call(client, tenant, ctx, router, message_seconds=5)
    assert before["status"] == "voicemail"

    # Live now, one target, and a forced calling tree: the caller must press 1.
    await rs.update(
        client,
        tenant,
        router["id"],
        {
            "kind": "live",
            "calling_tree_enabled": True,
            "calling_tree_prompt": "Press 1 to reach the on-call engineer.",
        },
    )
    after, entries = await call(client, tenant, ctx, router, digits=["1"], phones={"Ann": "answer"})
    assert after["status"] == "completed"
    assert after["answered_by"] == d.members["Ann"]["id"]
    assert [g["prompt"]["text"] for g in commands(entries, "gather")] == [
        "Press 1 to reach the on-call engineer."
    ]

    await rs.update(client, tenant, router["id"], {"enabled": False})
    refused, _ = await call(client, tenant, ctx, router)
    assert (refused["status"], refused["reason"]) == ("failed", "the router is disabled")

    # Deleting the router keeps the record of its calls.
    deleted = await client.delete(f"{rs.BASE}/{router['id']}", headers=rs.headers(tenant))
    assert deleted.status_code == 200, deleted.text
    kept = await callsetup.call(client, tenant, after["id"])
    assert (kept["status"], kept["router_id"]) == ("completed", None)
