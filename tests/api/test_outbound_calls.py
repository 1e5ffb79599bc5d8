"""Outbound calls: a router's `outbound` mode, and simulated calls placed from its number
that are connected to a SIP trunk, a bot, or nothing once the called party answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from tests import callsetup, factories
from tests.conftest import Tenant, make_key

JSON = dict[str, Any]
CALLEE = "+442071838750"


async def _line(client: httpx.AsyncClient, tenant: Tenant, outbound: JSON | None) -> JSON:
    """A simulator number routed by a router with ``outbound``; returns the ids in play."""
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    trunk = await factories.post(
        client, tenant, "sip-trunks", {"name": "PBX", "uri": "sip:agents@pbx.example.com"}
    )
    bot = await factories.post(
        client,
        tenant,
        "bots",
        {
            "name": "Agent",
            "websocket_url": "wss://bots.example.com/agent",
            "parameters": {"campaign": "renewals"},
        },
    )
    ids = {"trunk": trunk["id"], "bot": bot["id"]}
    body: JSON = {
        "name": "Dialer",
        "phone_number_ids": [number["id"]],
        "action": {"type": "voicemail"},
    }
    if outbound is not None:
        body["outbound"] = {
            k: ids.get(str(v), v) if k in ("sip_trunk_id", "bot_id") else v
            for k, v in outbound.items()
        }
    router = await factories.post(client, tenant, "routers", body)
    return {
        "number": number["number"],
        "number_id": number["id"],
        "connection_id": connection["id"],
        "router": router,
        **ids,
    }


async def _dial(
    client: httpx.AsyncClient, tenant: Tenant, line: JSON, **body: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/simulator/outbound-calls",
        json={"from": line["number"], "to": CALLEE, **body},
        headers=tenant.headers,
    )


def _commands(entries: list[JSON]) -> list[JSON]:
    return [e["detail"] for e in entries if e["kind"] == "command"]


@pytest.mark.parametrize(
    ("outbound", "connection"),
    [
        (
            {"mode": "sip", "sip_trunk_id": "trunk"},
            {"type": "dial_sip", "uri": "sip:agents@pbx.example.com", "caller_id": CALLEE},
        ),
        (
            {"mode": "bot", "bot_id": "bot"},
            {
                "type": "connect_stream",
                "url": "wss://bots.example.com/agent",
                "parameters": [["campaign", "renewals"]],
            },
        ),
        ({"mode": "answer_only"}, None),
    ],
)
async def test_an_answered_call_is_connected_as_the_outbound_mode_says(
    client: httpx.AsyncClient,
    tenant: Tenant,
    ctx: AppContext,
    outbound: JSON,
    connection: JSON | None,
) -> None:
    line = await _line(client, tenant, outbound)
    response = await _dial(client, tenant, line, callee="answer-after:4")
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["direction"] == "outbound"
    assert (placed["from"], placed["to"]) == (line["number"], CALLEE)
    assert placed["status"] == "ringing"
    assert placed["router_id"] == line["router"]["id"]
    await callsetup.settle(ctx)

    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "completed"
    assert record["reason"] == "the called party hung up"
    assert record["answered_at"] is not None
    assert record["legs"] == []
    assert record["recordings"] == []
    commands = _commands(await callsetup.timeline(client, tenant, placed["id"]))
    assert commands[0] == {
        "type": "place_call",
        "number": CALLEE,
        "caller_id": line["number"],
        "timeout_seconds": 30,
    }
    connections = [c for c in commands if c["type"] in ("dial_sip", "connect_stream")]
    if connection is None:
        assert connections == []
    else:
        assert len(connections) == 1
        assert {k: connections[0][k] for k in connection} == connection
    alerts = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()
    assert alerts["total"] == 0  # a call we place raises no alert


@pytest.mark.parametrize(
    ("callee", "status", "reason"),
    [
        ("busy", "missed", "the called party was busy"),
        ("no-answer", "missed", "the called party did not answer"),
        ("unreachable", "failed", "the call could not be connected"),
    ],
)
async def test_a_call_nobody_answers_ends_with_the_reason(
    client: httpx.AsyncClient,
    tenant: Tenant,
    ctx: AppContext,
    callee: str,
    status: str,
    reason: str,
) -> None:
    line = await _line(client, tenant, {"mode": "bot", "bot_id": "bot"})
    placed = (await _dial(client, tenant, line, callee=callee)).json()
    await callsetup.settle(ctx)
    record = await callsetup.call(client, tenant, placed["id"])
    assert (record["status"], record["reason"]) == (status, reason)
    assert record["answered_at"] is None
    commands = _commands(await callsetup.timeline(client, tenant, placed["id"]))
    assert [c["type"] for c in commands] == ["place_call"]


async def test_a_busy_trunk_fails_the_answered_call(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await _line(client, tenant, {"mode": "sip", "sip_trunk_id": "trunk"})
    placed = (
        await _dial(client, tenant, line, phones={"sip:agents@pbx.example.com": "busy"})
    ).json()
    await callsetup.settle(ctx)
    record = await callsetup.call(client, tenant, placed["id"])
    assert (record["status"], record["reason"]) == (
        "failed",
        "the sip connection did not answer (busy)",
    )


async def test_outbound_calls_are_listed_by_direction(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await _line(client, tenant, {"mode": "answer_only"})
    placed = (await _dial(client, tenant, line)).json()
    inbound = await callsetup.place(
        client, tenant, callsetup.Line(line["number"], line["router"], {}, {})
    )
    await callsetup.settle(ctx)
    h = tenant.headers
    outbound = await client.get("/api/v1/calls", params={"direction": "outbound"}, headers=h)
    assert [c["id"] for c in outbound.json()["data"]] == [placed["id"]]
    incoming = await client.get("/api/v1/calls", params={"direction": "inbound"}, headers=h)
    assert [c["id"] for c in incoming.json()["data"]] == [inbound["id"]]
    assert inbound["direction"] == "inbound"
    bad = await client.get("/api/v1/calls", params={"direction": "sideways"}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "direction"


async def test_numbers_that_cannot_place_calls_are_refused_and_nothing_is_recorded(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    h = tenant.headers
    line = await _line(client, tenant, None)
    no_mode = await _dial(client, tenant, line)
    assert no_mode.status_code == 409
    assert "no outbound mode" in no_mode.json()["error"]["message"]
    assert no_mode.json()["error"]["field"] == "from"

    router_url = f"/api/v1/routers/{line['router']['id']}"
    await client.patch(router_url, json={"outbound": {"mode": "answer_only"}}, headers=h)
    await client.patch(router_url, json={"enabled": False}, headers=h)
    disabled = await _dial(client, tenant, line)
    assert disabled.status_code == 409
    assert "disabled" in disabled.json()["error"]["message"]

    await client.patch(router_url, json={"enabled": True}, headers=h)
    connection_url = f"/api/v1/connections/{line['connection_id']}"
    await client.patch(connection_url, json={"enabled": False}, headers=h)
    off = await _dial(client, tenant, line)
    assert off.status_code == 409
    await client.patch(connection_url, json={"enabled": True}, headers=h)

    await client.patch(f"/api/v1/numbers/{line['number_id']}", json={"router_id": None}, headers=h)
    unrouted = await _dial(client, tenant, line)
    assert unrouted.status_code == 409
    assert "no router" in unrouted.json()["error"]["message"]

    foreign = await _dial(client, other_tenant, line)
    assert foreign.status_code == 404
    assert foreign.json()["error"]["field"] == "from"
    bad_to = await _dial(client, tenant, line, to="12345")
    assert bad_to.status_code == 422
    assert bad_to.json()["error"]["field"] == "to"
    bad_callee = await _dial(client, tenant, line, callee="sing")
    assert bad_callee.status_code == 422
    assert bad_callee.json()["error"]["field"] == "callee"
    assert (await client.get("/api/v1/calls", headers=h)).json()["total"] == 0


async def test_a_read_only_key_cannot_place_calls(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await _line(client, tenant, {"mode": "answer_only"})
    viewer = await make_key(ctx, tenant, role=Role.VIEWER)
    response = await client.post(
        "/api/v1/simulator/outbound-calls",
        json={"from": line["number"], "to": CALLEE},
        headers={"Authorization": f"Bearer {viewer}"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("outbound", "field"),
    [
        ({"mode": "sip"}, "outbound"),
        ({"mode": "bot", "sip_trunk_id": "trunk", "bot_id": "bot"}, "outbound"),
        ({"mode": "answer_only", "bot_id": "bot"}, "outbound"),
        ({"mode": "fax"}, "outbound.mode"),
        ({"mode": "answer_only", "ring_timeout_seconds": 4}, "outbound.ring_timeout_seconds"),
        ({"mode": "bot", "bot_id": "foreign"}, "outbound.bot_id"),
        ({"mode": "sip", "sip_trunk_id": "foreign"}, "outbound.sip_trunk_id"),
    ],
)
async def test_the_outbound_mode_is_validated(
    client: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    outbound: JSON,
    field: str,
) -> None:
    line = await _line(client, tenant, {"mode": "answer_only"})
    theirs = await _line(client, other_tenant, {"mode": "answer_only"})
    ids = {"trunk": line["trunk"], "bot": line["bot"]}
    foreign = theirs["bot"] if "bot_id" in outbound else theirs["trunk"]
    body = {
        k: (foreign if v == "foreign" else ids[v]) if k in ("sip_trunk_id", "bot_id") else v
        for k, v in outbound.items()
    }
    url = f"/api/v1/routers/{line['router']['id']}"
    response = await client.patch(url, json={"outbound": body}, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    unchanged = (await client.get(url, headers=tenant.headers)).json()
    assert unchanged["outbound"] == {
        "mode": "answer_only",
        "sip_trunk_id": None,
        "bot_id": None,
        "ring_timeout_seconds": 30,
    }


async def test_a_bot_or_trunk_in_an_outbound_mode_cannot_be_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    h = tenant.headers
    line = await _line(client, tenant, {"mode": "bot", "bot_id": "bot"})
    blocked = await client.delete(f"/api/v1/bots/{line['bot']}", headers=h)
    assert blocked.status_code == 409
    assert "Dialer" in blocked.json()["error"]["message"]
    url = f"/api/v1/routers/{line['router']['id']}"
    cleared = await client.patch(url, json={"outbound": None}, headers=h)
    assert cleared.json()["outbound"] is None
    assert (await client.delete(f"/api/v1/bots/{line['bot']}", headers=h)).status_code == 200
