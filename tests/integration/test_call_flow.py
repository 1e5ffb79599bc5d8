"""Calls routed end to end on the simulator, through storage and the timer runner, on both
databases: the record, legs, timeline, recording, alert and webhooks each call leaves."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import httpx

from callroute.app_context import AppContext
from callroute.outgoing_webhooks.signing import SIGNATURE_HEADER, verify
from tests import callsetup, factories
from tests.conftest import Tenant


def rung_numbers(entries: list[dict[str, Any]]) -> Counter[str]:
    legs: Counter[str] = Counter()
    for entry in entries:
        if entry["kind"] == "command" and entry["detail"]["type"] == "ring_legs":
            for leg in entry["detail"]["legs"]:
                legs[leg["leg_id"]] += 1
    return legs


async def test_nobody_answers_so_the_caller_leaves_a_voicemail(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer", message_seconds=9)
    assert placed["status"] == "ringing_responders"
    await callsetup.settle(ctx)

    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "voicemail"
    assert record["router_id"] == line.router["id"]
    assert record["ended_at"] is not None
    assert [(leg["member_name"], leg["status"], leg["level"]) for leg in record["legs"]] == [
        ("Ann", "no_answer", 0),
        ("Bob", "no_answer", 0),
        ("Chris", "no_answer", 1),
    ]
    assert all(leg["duration_seconds"] is not None for leg in record["legs"])
    recording = record["recordings"][0]
    assert recording["duration_seconds"] == 9
    assert "simulated caller" in recording["transcript"]

    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert [e["sequence"] for e in entries] == list(range(1, len(entries) + 1))
    assert set(rung_numbers(entries).values()) == {1}  # nobody rung twice for one attempt

    alerts = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()["data"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["call_id"] == placed["id"]
    assert alert["status"] == "triggered"
    assert alert["recording_url"] == recording["url"]
    assert alert["transcript"] == recording["transcript"]
    assert alert["summary"] == "Call from +442071838750 to Hotline policy"


async def test_second_responder_answers_and_acknowledges_the_alert(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    await client.patch(
        f"/api/v1/routers/{line.router['id']}",
        json={"alert": {"auto_resolve_on_call_end": True, "urgency": "high"}},
        headers=tenant.headers,
    )
    placed = await callsetup.place(
        client, tenant, line, phones={"Ann": "voicemail", "Bob": "answer-after:4"}
    )
    await callsetup.settle(ctx)
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "completed"
    assert record["answered_by"] == line.members["Bob"]["id"]
    assert record["answered_at"] is not None
    statuses = {leg["member_name"]: leg["status"] for leg in record["legs"]}
    assert statuses == {"Ann": "no_answer", "Bob": "completed"}  # Ann's voicemail ≠ answer
    alert = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()["data"][0]
    assert alert["acknowledged_by"] == line.members["Bob"]["id"]
    assert alert["status"] == "resolved"
    assert alert["urgency"] == "high"


async def test_calls_can_be_listed_and_filtered(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    first = await callsetup.place(client, tenant, line, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    second = await callsetup.place(client, tenant, line, hangup_after=3)
    await callsetup.settle(ctx)
    h = tenant.headers
    listed = (await client.get("/api/v1/calls", headers=h)).json()
    assert [c["id"] for c in listed["data"]] == [second["id"], first["id"]]  # newest first
    missed = (await client.get("/api/v1/calls", params={"status": "missed"}, headers=h)).json()
    assert [c["id"] for c in missed["data"]] == [second["id"]]
    assert missed["data"][0]["reason"].startswith("caller hung up")
    by_router = (
        await client.get("/api/v1/calls", params={"router_id": line.router["id"]}, headers=h)
    ).json()
    assert by_router["total"] == 2
    by_number = (
        await client.get("/api/v1/calls", params={"number": "+44 20 7183 8750"}, headers=h)
    ).json()
    assert by_number["total"] == 2
    assert listed["data"][0]["from"] == "+442071838750"
    boundary = second["started_at"]
    later = (
        await client.get("/api/v1/calls", params={"started_after": boundary}, headers=h)
    ).json()
    earlier = (
        await client.get("/api/v1/calls", params={"started_before": boundary}, headers=h)
    ).json()
    assert [c["id"] for c in later["data"]] == [second["id"]]
    assert [c["id"] for c in earlier["data"]] == [first["id"]]
    answered = (
        await client.get(
            "/api/v1/calls", params={"answered_by": line.members["Ann"]["id"]}, headers=h
        )
    ).json()
    assert [c["id"] for c in answered["data"]] == [first["id"]]


async def test_webhooks_are_signed_and_delivered_off_the_call_path(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    received: list[httpx.Request] = []
    attempts = Counter[str]()

    def receiver(request: httpx.Request) -> httpx.Response:
        delivery = request.headers["Callroute-Delivery"]
        attempts[delivery] += 1
        if attempts[delivery] == 1 and request.headers["Callroute-Event"] == "call.ended":
            return httpx.Response(503)  # first try fails: it must be retried
        received.append(request)
        return httpx.Response(204)

    ctx.http = httpx.AsyncClient(transport=httpx.MockTransport(receiver))
    created = await client.post(
        "/api/v1/webhooks",
        json={
            "url": "https://hooks.example.com/callroute",
            "events": ["call.started", "call.answered", "call.ended", "alert.triggered"],
        },
        headers=tenant.headers,
    )
    secret = created.json()["secret"]
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, phones={"Ann": "answer-after:2"})
    await callsetup.settle(ctx)

    types = [r.headers["Callroute-Event"] for r in received]
    assert sorted(types) == ["alert.triggered", "call.answered", "call.ended", "call.started"]
    for request in received:
        body = request.content
        assert verify(
            secret,
            request.headers[SIGNATURE_HEADER],
            body,
            int(ctx.clock.now().timestamp()),
            tolerance=10_000,
        )
        assert not verify(
            "wrong",
            request.headers[SIGNATURE_HEADER],
            body,
            int(ctx.clock.now().timestamp()),
            tolerance=10_000,
        )
        assert json.loads(body)["data"].get("call_id") == placed["id"]
    log = (
        await client.get(
            f"/api/v1/webhooks/{created.json()['id']}/deliveries", headers=tenant.headers
        )
    ).json()["data"]
    ended = next(d for d in log if d["event_type"] == "call.ended")
    assert (ended["status"], ended["attempts"], ended["last_status_code"]) == ("delivered", 2, 204)
    deliveries = ctx.metrics.webhook_deliveries
    assert deliveries.labels("delivered")._value.get() == 4
    assert deliveries.labels("retried")._value.get() == 1  # call.ended's first, refused try
    assert deliveries.labels("failed")._value.get() == 0


async def test_unrouted_and_disabled_numbers_leave_a_record_that_says_why(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    await client.patch(
        f"/api/v1/routers/{line.router['id']}", json={"enabled": False}, headers=tenant.headers
    )
    placed = await callsetup.place(client, tenant, line)
    await callsetup.settle(ctx)
    record = await callsetup.call(client, tenant, placed["id"])
    assert (record["status"], record["reason"]) == ("failed", "the router is disabled")
    entries = await callsetup.timeline(client, tenant, placed["id"])
    said = [e["detail"] for e in entries if e["kind"] == "command"]
    assert [d["type"] for d in said] == ["say", "hangup"]
    unknown = await client.post(
        "/api/v1/simulator/calls",
        json={"to": "+14155550177", "from": "+442071838750"},
        headers=tenant.headers,
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["field"] == "to"


async def test_a_refused_call_from_a_known_contact_is_recorded_as_theirs(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    contact = await factories.post(
        client, tenant, "contacts", {"name": "Dana", "phones": [{"number": "+442071838750"}]}
    )
    line = await callsetup.routed_line(client, tenant)
    await client.patch(
        f"/api/v1/routers/{line.router['id']}", json={"enabled": False}, headers=tenant.headers
    )
    known = await callsetup.place(client, tenant, line)  # from the contact's number
    stranger = await callsetup.place(client, tenant, line, **{"from": "+14155550199"})
    await callsetup.settle(ctx)
    for placed, contact_id in ((known, contact["id"]), (stranger, None)):
        record = await callsetup.call(client, tenant, placed["id"])
        assert (record["status"], record["reason"]) == ("failed", "the router is disabled")
        assert record["contact_id"] == contact_id
