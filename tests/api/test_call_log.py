"""Logged calls and call follow-up through the native API: a call another phone system handled
is written with `POST /calls`; any call is followed up with `PATCH /calls/{id}` (member,
contact, summary, handled, billing, outside references), on both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.clock import FrozenClock
from callroute.timers.auditor import audit
from tests import callsetup, factories
from tests.conftest import Tenant, make_key

JSON = dict[str, Any]


async def log(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> httpx.Response:
    payload = {"direction": "inbound", "from": "+14155550148", "to": "+14155550901", **body}
    payload.setdefault("status", "missed")
    return await client.post("/api/v1/calls", json=payload, headers=tenant.headers)


async def patch(client: httpx.AsyncClient, tenant: Tenant, call_id: str, **body: Any) -> JSON:
    response = await client.patch(f"/api/v1/calls/{call_id}", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: JSON = response.json()
    return data


async def test_a_logged_call_is_a_call_record_like_any_other(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    ann = await factories.member(client, tenant, "Ann", "+14155550101")
    contact = await factories.post(
        client, tenant, "contacts", {"name": "Dana", "phones": [{"number": "+14155550148"}]}
    )
    started = clock.now() - timedelta(minutes=10)
    response = await log(
        client,
        tenant,
        status="completed",
        started_at=started.isoformat(),
        duration_seconds=95,
        member_id=ann["id"],
        answered_by=ann["id"],
        contact_id=contact["id"],
        provider="vonage",
        provider_call_id="ext-call-001",
        rate="0.05",
        price="4.75",
        price_unit="USD",
        summary="Asked about opening hours",
        external={
            "source_id": "call-src-001",
            "app_name": "Front desk",
            "app_url": "https://desk.example.com/calls/1",
        },
    )
    assert response.status_code == 201, response.text
    call = response.json()
    assert call["origin"] == "logged"
    assert (call["from"], call["to"], call["direction"]) == (
        "+14155550148",
        "+14155550901",
        "inbound",
    )
    assert call["status"] == "completed"
    assert call["answered_by"] == call["member_id"] == ann["id"]
    assert call["contact_id"] == contact["id"]
    assert call["duration_seconds"] == 95
    assert call["started_at"].startswith(started.isoformat()[:19])
    assert (call["rate"], call["price"], call["price_unit"]) == ("0.05", "4.75", "USD")
    assert call["external"] == {
        "source_id": "call-src-001",
        "app_name": "Front desk",
        "app_url": "https://desk.example.com/calls/1",
        "recording_id": None,
    }
    assert call["router_id"] is None
    assert call["handled_at"] is None

    detail = await callsetup.call(client, tenant, call["id"])
    assert detail["legs"] == []
    assert detail["recordings"] == []
    listed = (
        await client.get("/api/v1/calls", params={"origin": "logged"}, headers=tenant.headers)
    ).json()
    assert [c["id"] for c in listed["data"]] == [call["id"]]
    entries = await callsetup.timeline(client, tenant, call["id"])
    assert [e["kind"] for e in entries] == ["call_logged"]


async def test_logging_refuses_what_cannot_be_true(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, clock: FrozenClock
) -> None:
    ann = await factories.member(client, tenant, "Ann", "+14155550101")
    theirs = await factories.member(client, other_tenant, "Zed", "+14155550109")
    cases: list[tuple[JSON, int, str]] = [
        ({"from": "12345"}, 422, "from"),
        ({"status": "MISSED"}, 422, "status"),
        ({"rate": 0.05}, 422, "rate"),
        ({"price": "1,50"}, 422, "price"),
        ({"member_id": theirs["id"]}, 422, "member_id"),
        ({"status": "ringing", "duration_seconds": 10}, 422, "duration_seconds"),
        ({"status": "missed", "answered_by": ann["id"]}, 422, "answered_by"),
        ({"status": "completed", "handled": True}, 422, "handled"),
        ({"handled_by": ann["id"]}, 422, "handled_by"),
        ({"started_at": (clock.now() + timedelta(hours=1)).isoformat()}, 422, "started_at"),
        ({"external": {"app_url": "javascript:alert(1)"}}, 422, "external.app_url"),
        ({"external": {"colour": "red"}}, 422, "external.colour"),
        ({"from_number": "+14155550148"}, 422, "from_number"),
    ]
    for body, status, field in cases:
        response = await log(client, tenant, **body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["field"] == field, (body, response.text)
    listed = (await client.get("/api/v1/calls", headers=tenant.headers)).json()
    assert listed["total"] == 0  # nothing half-written

    first = await log(client, tenant, provider="vonage", provider_call_id="ext-1")
    assert first.status_code == 201
    again = await log(client, tenant, provider="vonage", provider_call_id="ext-1")
    assert again.status_code == 409, again.text
    assert again.json()["error"]["field"] == "provider_call_id"
    assert first.json()["id"] in again.json()["error"]["message"]
    # Another provider's id space, and another project, are separate.
    assert (
        await log(client, tenant, provider="twilio", provider_call_id="ext-1")
    ).status_code == 201
    assert (
        await log(client, other_tenant, provider="vonage", provider_call_id="ext-1")
    ).status_code == 201


async def test_a_missed_routed_call_is_marked_handled_and_leaves_the_call_back_list(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, clock: FrozenClock
) -> None:
    line = await callsetup.routed_line(client, tenant)
    await client.patch(
        f"/api/v1/routers/{line.router['id']}",
        json={"fallback": "message"},
        headers=tenant.headers,
    )
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    await callsetup.settle(ctx)
    assert (await callsetup.call(client, tenant, placed["id"]))["status"] == "missed"

    call_back = {"handled": "false"}
    page = (await client.get("/api/v1/calls", params=call_back, headers=tenant.headers)).json()
    assert [c["id"] for c in page["data"]] == [placed["id"]]

    bob = line.members["Bob"]
    clock.advance(timedelta(minutes=30))
    updated = await patch(
        client,
        tenant,
        placed["id"],
        handled=True,
        handled_by=bob["id"],
        summary="Called back; fixed",
        member_id=bob["id"],
    )
    assert updated["handled_by"] == bob["id"]
    assert updated["handled_at"].startswith(clock.now().isoformat()[:19])
    assert updated["status"] == "missed"  # the routing's record is unchanged
    assert updated["summary"] == "Called back; fixed"
    page = (await client.get("/api/v1/calls", params=call_back, headers=tenant.headers)).json()
    assert page["data"] == []
    handled = (
        await client.get("/api/v1/calls", params={"handled": "true"}, headers=tenant.headers)
    ).json()
    assert [c["id"] for c in handled["data"]] == [placed["id"]]
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert entries[-1]["kind"] == "call_updated"
    assert entries[-1]["detail"]["handled_by_id"] == bob["id"]

    # Marking it again by the same member keeps the time; clearing removes both.
    clock.advance(timedelta(minutes=5))
    again = await patch(client, tenant, placed["id"], handled=True)
    assert again["handled_at"] == updated["handled_at"]
    cleared = await patch(client, tenant, placed["id"], handled=False)
    assert cleared["handled_at"] is None
    assert cleared["handled_by"] is None


async def test_a_routed_calls_record_belongs_to_the_routing(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    before = await callsetup.call(client, tenant, placed["id"])
    assert before["status"] == "completed"
    for body, field in [
        ({"status": "missed"}, "status"),
        ({"from": "+14155550111"}, "from"),
        ({"duration_seconds": 5}, "duration_seconds"),
        ({"answered_by": None}, "answered_by"),
        ({"provider_call_id": "x"}, "provider_call_id"),
        ({"handled": True}, "handled"),  # it was answered: nothing to follow up
        ({"summary": None, "handled": None}, "handled"),
    ]:
        response = await client.patch(
            f"/api/v1/calls/{placed['id']}", json=body, headers=tenant.headers
        )
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field, response.text
    after = await callsetup.call(client, tenant, placed["id"])
    assert after == before

    updated = await patch(
        client,
        tenant,
        placed["id"],
        rate="0.013",
        price="0.26",
        price_unit="USD",
        external={"recording_id": "rec-9"},
    )
    assert (updated["rate"], updated["price"]) == ("0.013", "0.26")
    assert updated["external"]["recording_id"] == "rec-9"
    assert updated["status"] == "completed"
    assert updated["answered_by"] == before["answered_by"]


async def test_a_logged_calls_record_can_be_corrected(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    ann = await factories.member(client, tenant, "Ann", "+14155550101")
    call = (
        await log(client, tenant, status="ringing", provider="vonage", provider_call_id="a")
    ).json()
    answered = await patch(client, tenant, call["id"], status="answered", answered_by=ann["id"])
    assert answered["ended_at"] is None
    assert answered["duration_seconds"] is None
    ended = await patch(client, tenant, call["id"], status="completed", duration_seconds=120)
    assert ended["duration_seconds"] == 120
    assert ended["answered_by"] == ann["id"]
    moved = await patch(
        client, tenant, call["id"], started_at=(clock.now() - timedelta(hours=1)).isoformat()
    )
    assert moved["duration_seconds"] == 120  # the duration moves with the start
    other = (await log(client, tenant, provider="vonage", provider_call_id="b")).json()
    clash = await client.patch(
        f"/api/v1/calls/{other['id']}", json={"provider_call_id": "a"}, headers=tenant.headers
    )
    assert clash.status_code == 409
    assert clash.json()["error"] == {
        "code": "conflict",
        "message": f"provider_call_id: call {call['id']} already has the vonage id 'a'",
        "field": "provider_call_id",
    }
    stuck = await client.patch(
        f"/api/v1/calls/{call['id']}", json={"status": "missed"}, headers=tenant.headers
    )
    assert stuck.status_code == 422  # still answered by Ann: say who, or clear it
    assert stuck.json()["error"]["field"] == "answered_by"
    missed = await patch(
        client,
        tenant,
        call["id"],
        status="missed",
        answered_by=None,
        handled=True,
        handled_by=ann["id"],
    )
    assert missed["handled_by"] == ann["id"]
    back = await client.patch(
        f"/api/v1/calls/{call['id']}", json={"status": "completed"}, headers=tenant.headers
    )
    assert back.status_code == 422
    assert back.json()["error"]["field"] == "handled"


async def test_a_read_only_key_cannot_write_calls(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    viewer = await make_key(ctx, tenant, role=Role.VIEWER)
    headers = {"Authorization": f"Bearer {viewer}"}
    body = {
        "direction": "inbound",
        "from": "+14155550148",
        "to": "+14155550901",
        "status": "missed",
    }
    response = await client.post("/api/v1/calls", json=body, headers=headers)
    assert response.status_code == 403
    call = (await log(client, tenant)).json()
    response = await client.patch(
        f"/api/v1/calls/{call['id']}", json={"summary": "x"}, headers=headers
    )
    assert response.status_code == 403
    assert (await client.get(f"/api/v1/calls/{call['id']}", headers=headers)).status_code == 200


async def test_the_auditor_leaves_logged_calls_alone(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, clock: FrozenClock
) -> None:
    call = (await log(client, tenant, status="ringing")).json()
    assert await audit(ctx, clock.now()) == 0
    assert (await callsetup.call(client, tenant, call["id"]))["status"] == "ringing"
