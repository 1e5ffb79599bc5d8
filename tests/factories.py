"""Create directory objects through the API, for tests that need one of each."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import Tenant

JSON = dict[str, Any]


async def post(client: httpx.AsyncClient, tenant: Tenant, path: str, body: JSON) -> JSON:
    response = await client.post(f"/api/v1/{path}", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    data: JSON = response.json()
    return data


async def member(
    client: httpx.AsyncClient,
    tenant: Tenant,
    name: str = "Ann",
    number: str = "+14155550100",
    **extra: Any,
) -> JSON:
    body = {"name": name, "phones": [{"number": number}] if number else [], **extra}
    return await post(client, tenant, "members", body)


async def schedule(
    client: httpx.AsyncClient,
    tenant: Tenant,
    member_ids: list[str],
    name: str = "Primary",
    **extra: Any,
) -> JSON:
    body = {
        "name": name,
        "time_zone": "America/New_York",
        "layers": [
            {
                "name": "Weekly",
                "start": "2026-03-02T09:00:00-05:00",
                "rotation_length": 1,
                "rotation_unit": "weeks",
                "handoff_time": "09:00",
                "member_ids": member_ids,
            }
        ],
        **extra,
    }
    return await post(client, tenant, "schedules", body)


async def policy(
    client: httpx.AsyncClient,
    tenant: Tenant,
    targets: list[JSON],
    name: str = "Primary escalation",
    **extra: Any,
) -> JSON:
    body = {"name": name, "levels": [{"targets": targets}], **extra}
    return await post(client, tenant, "escalation-policies", body)


async def one_of_each(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, str]:
    """One object of every directory resource; returns path parameter name → id."""
    ann = await member(client, tenant, "Ann", "+14155550100")
    bob = await member(client, tenant, "Bob", "+14155550101")
    team = await post(client, tenant, "teams", {"name": "SRE", "member_ids": [ann["id"]]})
    sched = await schedule(client, tenant, [ann["id"], bob["id"]])
    override = await post(
        client,
        tenant,
        f"schedules/{sched['id']}/overrides",
        {"member_id": bob["id"], "start": "2026-03-03T00:00:00Z", "end": "2026-03-04T00:00:00Z"},
    )
    pol = await policy(
        client,
        tenant,
        [{"type": "schedule", "id": sched["id"]}, {"type": "team", "id": team["id"]}],
    )
    service = await post(
        client, tenant, "services", {"name": "API", "escalation_policy_id": pol["id"]}
    )
    contact = await post(
        client, tenant, "contacts", {"name": "Caller", "phones": [{"number": "+442071838750"}]}
    )
    urgencies = (await client.get("/api/v1/urgencies", headers=tenant.headers)).json()["data"]
    keys = (await client.get("/api/v1/api-keys", headers=tenant.headers)).json()["data"]
    return {
        "member_id": ann["id"],
        "team_id": team["id"],
        "schedule_id": sched["id"],
        "override_id": override["id"],
        "policy_id": pol["id"],
        "service_id": service["id"],
        "contact_id": contact["id"],
        "urgency_id": urgencies[0]["id"],
        "key_id": keys[0]["id"],
        **await call_resources(client, tenant, pol["id"]),
    }


async def call_resources(
    client: httpx.AsyncClient, tenant: Tenant, policy_id: str
) -> dict[str, str]:
    """A simulator connection and number, a SIP trunk, a bot, a router, a call, its alert and
    a webhook subscription."""
    connection = await post(client, tenant, "connections", {"name": "Sim", "kind": "simulator"})
    number = await post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    trunk = await post(
        client, tenant, "sip-trunks", {"name": "PBX", "uri": "sip:desk@pbx.example.com"}
    )
    bot = await post(
        client, tenant, "bots", {"name": "Agent", "websocket_url": "wss://bots.example.com/agent"}
    )
    router = await post(
        client,
        tenant,
        "routers",
        {
            "name": "Hotline",
            "phone_number_ids": [number["id"]],
            "action": {"type": "ring", "target": {"type": "escalation_policy", "id": policy_id}},
        },
    )
    call = await post(
        client, tenant, "simulator/calls", {"to": number["number"], "from": "+442071838750"}
    )
    alerts = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()["data"]
    hook = await post(client, tenant, "webhooks", {"url": "https://hooks.example.com/x"})
    return {
        "connection_id": connection["id"],
        "number_id": number["id"],
        "trunk_id": trunk["id"],
        "bot_id": bot["id"],
        "router_id": router["id"],
        "call_id": call["id"],
        # The call has no recording until it is carried out (no runner runs here): an id
        # that names nothing, which a test that runs the call replaces with the real one.
        "recording_id": str(uuid.uuid4()),
        "alert_id": alerts[0]["id"],
        "subscription_id": hook["id"],
    }
