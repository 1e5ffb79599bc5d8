"""Routings created through the VoiceLink API route real (simulated) calls: inbound calls to
the DID go to the mobile, the SIP trunk or the bot; calls placed from the DID follow the
outbound mode; status 0 stops both."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from callroute.app_context import AppContext
from tests import callsetup, factories
from tests.compat import voicelink_setup as vl
from tests.compat.voicelink_setup import MOBILE, OWNER_PHONE, URL, Partner
from tests.conftest import Tenant

JSON = dict[str, Any]
CALLER = "+442071838750"


@pytest.fixture
async def p(client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant) -> Partner:
    return await vl.partner(client, ctx, tenant)


async def _commands(client: httpx.AsyncClient, p: Partner, call_id: str) -> list[JSON]:
    entries = await callsetup.timeline(client, p.tenant, call_id)
    return [e["detail"] for e in entries if e["kind"] == "command"]


async def _call_in(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner, **script: Any
) -> tuple[JSON, list[JSON]]:
    placed = await factories.post(
        client, p.tenant, "simulator/calls", {"to": p.did["number"], "from": CALLER, **script}
    )
    await callsetup.settle(ctx)
    record = await callsetup.call(client, p.tenant, placed["id"])
    return record, await _commands(client, p, placed["id"])


def _routing(p: Partner, inbound: JSON, outbound: JSON | None = None) -> JSON:
    return {
        "did_id": p.did["handle"],
        **inbound,
        **(outbound or {"for_outbound_call": 4}),
    }


async def test_mobile_mode_forwards_to_the_mobile_number(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner
) -> None:
    await vl.create(client, p, _routing(p, {"for_inbound_call": 1, "mobile_number": MOBILE}))
    record, commands = await _call_in(client, ctx, p, phones={MOBILE: "answer-after:2"})
    forwards = [c for c in commands if c["type"] == "forward"]
    assert [(c["number"], c["caller_id"]) for c in forwards] == [(MOBILE, CALLER)]
    assert record["status"] == "completed"
    assert record["answered_at"] is not None
    assert record["direction"] == "inbound"


async def test_mobile_mode_without_a_number_rings_the_dids_owner(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner
) -> None:
    await vl.create(client, p, vl.example_request())  # mode 1, no mobile_number
    # The owner changes their mobile after the routing was written: the new one is rung.
    new_phone = "+14155550144"
    await client.patch(
        f"/api/v1/members/{p.owner['id']}",
        json={"phones": [{"number": new_phone}]},
        headers=p.headers,
    )
    record, commands = await _call_in(client, ctx, p, phones={"Ann": "answer"})
    rung = [leg["number"] for c in commands if c["type"] == "ring_legs" for leg in c["legs"]]
    assert rung == [new_phone]
    assert OWNER_PHONE not in rung
    assert record["status"] == "completed"
    assert record["answered_by"] == p.owner["id"]


async def test_sip_mode_dials_the_trunk(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner
) -> None:
    await vl.create(
        client,
        p,
        _routing(p, {"for_inbound_call": 2, "inbound_sip_trunk_id": p.trunk["handle"]}),
    )
    record, commands = await _call_in(client, ctx, p)
    sip = [c for c in commands if c["type"] == "dial_sip"]
    assert [c["uri"] for c in sip] == ["sip:desk@pbx.example.com"]
    assert record["status"] == "completed"
    assert record["answered_at"] is not None


async def test_bot_mode_streams_to_the_bot_with_its_parameters(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner
) -> None:
    await vl.create(client, p, _routing(p, {"for_inbound_call": 3, "inbound_websocket_bot_id": 93}))
    record, commands = await _call_in(client, ctx, p)
    streams = [c for c in commands if c["type"] == "connect_stream"]
    assert [(c["url"], c["parameters"]) for c in streams] == [
        ("wss://api.pipecat.daily.co/ws/twilio", [["agent", "support"]])
    ]
    assert record["status"] == "completed"
    assert record["reason"] == "connection ended"


async def test_a_replaced_routing_routes_the_next_call_the_new_way(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner
) -> None:
    created = await vl.create(
        client, p, _routing(p, {"for_inbound_call": 1, "mobile_number": MOBILE})
    )
    body = {"for_inbound_call": 3, "inbound_websocket_bot_id": 93, "for_outbound_call": 4}
    replaced = await client.post(
        f"{URL}/{created['id']}", json=body | {"status": 1}, headers=p.headers
    )
    assert replaced.status_code == 200
    _record, commands = await _call_in(client, ctx, p)
    assert [c["type"] for c in commands if c["type"] in ("forward", "connect_stream")] == [
        "connect_stream"
    ]


async def test_status_zero_stops_inbound_and_outbound_calls(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner
) -> None:
    await vl.create(client, p, vl.example_request() | {"status": 0})
    record, commands = await _call_in(client, ctx, p)
    assert (record["status"], record["reason"]) == ("failed", "the router is disabled")
    assert [c["type"] for c in commands] == ["say", "hangup"]
    placed = await client.post(
        "/api/v1/simulator/outbound-calls",
        json={"from": p.did["number"], "to": CALLER},
        headers=p.headers,
    )
    assert placed.status_code == 409
    assert "disabled" in placed.json()["error"]["message"]


@pytest.mark.parametrize(
    ("outbound", "connection"),
    [
        ({"for_outbound_call": 2, "outbound_sip_trunk_id": "trunk"}, "dial_sip"),
        ({"for_outbound_call": 3, "outbound_websocket_bot_id": "bot"}, "connect_stream"),
        ({"for_outbound_call": 4}, None),
    ],
)
async def test_calls_placed_from_the_did_follow_the_outbound_mode(
    client: httpx.AsyncClient,
    ctx: AppContext,
    p: Partner,
    outbound: JSON,
    connection: str | None,
) -> None:
    ids = {"trunk": p.trunk["handle"], "bot": p.bot["handle"]}
    outbound = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in outbound.items()}
    await vl.create(
        client, p, _routing(p, {"for_inbound_call": 1, "mobile_number": MOBILE}, outbound)
    )
    placed = await factories.post(
        client,
        p.tenant,
        "simulator/outbound-calls",
        {"from": p.did["number"], "to": CALLER, "callee": "answer-after:3"},
    )
    await callsetup.settle(ctx)
    record = await callsetup.call(client, p.tenant, placed["id"])
    assert record["direction"] == "outbound"
    assert (record["status"], record["reason"]) == ("completed", "the called party hung up")
    commands = await _commands(client, p, placed["id"])
    assert commands[0]["type"] == "place_call"
    assert (commands[0]["number"], commands[0]["caller_id"]) == (CALLER, p.did["number"])
    connected = [c for c in commands if c["type"] in ("dial_sip", "connect_stream", "forward")]
    if connection is None:
        assert connected == []
    else:
        assert [c["type"] for c in connected] == [connection]
        target = connected[0].get("uri") or connected[0].get("url")
        assert target in ("sip:desk@pbx.example.com", "wss://api.pipecat.daily.co/ws/twilio")
