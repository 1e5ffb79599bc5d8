"""A routed simulator number, built through the API, for call tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.timers.runner import Runner
from tests import factories
from tests.conftest import Tenant

JSON = dict[str, Any]


@dataclass
class Line:
    number: str
    router: JSON
    members: dict[str, JSON]
    policy: JSON


async def routed_line(
    client: httpx.AsyncClient,
    tenant: Tenant,
    *,
    router: JSON | None = None,
    levels: list[JSON] | None = None,
    repeat_count: int = 0,
) -> Line:
    """Ann, Bob and Chris; a policy (level 1: Ann then Bob, level 2: Chris) unless ``levels``
    is given; a simulator number; a router that rings the policy (or ``router``'s pipeline)."""
    members = {
        name: await factories.member(client, tenant, name, number)
        for name, number in (
            ("Ann", "+14155550101"),
            ("Bob", "+14155550102"),
            ("Chris", "+14155550103"),
        )
    }
    if levels is None:
        levels = [
            {
                "ring_timeout_seconds": 20,
                "targets": [
                    {"type": "member", "id": members["Ann"]["id"]},
                    {"type": "member", "id": members["Bob"]["id"]},
                ],
            },
            {
                "ring_timeout_seconds": 20,
                "targets": [{"type": "member", "id": members["Chris"]["id"]}],
            },
        ]
    policy = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {"name": "Hotline policy", "repeat_count": repeat_count, "levels": levels},
    )
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    body = router or {
        "greeting": {"text": "Welcome."},
        "action": {"type": "ring", "target": {"type": "escalation_policy", "id": policy["id"]}},
    }
    created = await factories.post(
        client, tenant, "routers", {"name": "Hotline", "phone_number_ids": [number["id"]], **body}
    )
    return Line(number["number"], created, members, policy)


async def place(client: httpx.AsyncClient, tenant: Tenant, line: Line, **script: Any) -> JSON:
    body = {"to": line.number, "from": "+442071838750", **script}
    return await factories.post(client, tenant, "simulator/calls", body)


async def settle(ctx: AppContext) -> None:
    assert isinstance(ctx.clock, FrozenClock)
    await Runner(ctx, worker_id="test-runner").drain(ctx.clock)


async def timeline(client: httpx.AsyncClient, tenant: Tenant, call_id: str) -> list[JSON]:
    entries: list[JSON] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get(
                f"/api/v1/calls/{call_id}/events", params=params, headers=tenant.headers
            )
        ).json()
        entries += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return entries


async def call(client: httpx.AsyncClient, tenant: Tenant, call_id: str) -> JSON:
    response = await client.get(f"/api/v1/calls/{call_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: JSON = response.json()
    return data
