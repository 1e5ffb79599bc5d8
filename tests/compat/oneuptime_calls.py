"""A OneUptime policy set up through the compatible API, and simulated calls to its number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests import callsetup, factories
from tests.compat.oneuptime_support import (
    LOG_ITEMS,
    LOGS,
    create_policy,
    create_rule,
    get_list,
)
from tests.conftest import Tenant

NUMBER = "+12015557115"
CALLER = "+442071838750"
JSON = dict[str, Any]


@dataclass
class Hotline:
    number: str
    policy: JSON
    members: dict[str, JSON]
    rules: list[JSON]


async def hotline(
    client: httpx.AsyncClient,
    tenant: Tenant,
    *,
    rules: list[tuple[str, int]] | None = None,
    **policy: Any,
) -> Hotline:
    """Ann, Bob and Chris; a simulator connection; a policy on a number claimed through it;
    one rule per (member, escalate-after seconds), Ann for 20 s then Bob for 25 s unless
    ``rules`` says otherwise."""
    members = {
        name: await factories.member(client, tenant, name, number)
        for name, number in (
            ("Ann", "+14155550101"),
            ("Bob", "+14155550102"),
            ("Chris", "+14155550103"),
        )
    }
    connection = await factories.post(
        client, tenant, "connections", {"name": "Twilio sandbox", "kind": "simulator"}
    )
    created = await create_policy(
        client,
        tenant,
        **{
            "name": "Support hotline",
            "projectCallSMSConfigId": connection["id"],
            "routingPhoneNumber": NUMBER,
            **policy,
        },
    )
    made = [
        await create_rule(
            client,
            tenant,
            incomingCallPolicyId=created["_id"],
            userId=members[name]["id"],
            escalateAfterSeconds=seconds,
        )
        for name, seconds in (rules if rules is not None else [("Ann", 20), ("Bob", 25)])
    ]
    return Hotline(NUMBER, created, members, made)


async def dial(client: httpx.AsyncClient, tenant: Tenant, **script: Any) -> JSON:
    return await factories.post(
        client, tenant, "simulator/calls", {"to": NUMBER, "from": CALLER, **script}
    )


def said(entries: list[JSON]) -> list[str]:
    """What the caller heard, in order."""
    return [
        e["detail"]["prompt"]["text"]
        for e in entries
        if e["kind"] == "command" and e["detail"]["type"] == "say"
    ]


def rung(entries: list[JSON]) -> list[JSON]:
    return [
        leg
        for e in entries
        if e["kind"] == "command" and e["detail"]["type"] == "ring_legs"
        for leg in e["detail"]["legs"]
    ]


def ring_commands(entries: list[JSON]) -> list[JSON]:
    return [
        e["detail"]
        for e in entries
        if e["kind"] == "command" and e["detail"]["type"] == "ring_legs"
    ]


async def log_of(client: httpx.AsyncClient, tenant: Tenant, call_id: str) -> JSON:
    listed = await get_list(client, tenant, LOGS, query={"_id": call_id})
    assert listed["count"] == 1, listed
    log: JSON = listed["data"][0]
    return log


async def items_of(client: httpx.AsyncClient, tenant: Tenant, call_id: str) -> list[JSON]:
    listed = await get_list(
        client,
        tenant,
        LOG_ITEMS,
        query={"incomingCallLogId": call_id},
        sort={"startedAt": "ASC"},
        limit=100,
    )
    items: list[JSON] = listed["data"]
    return items


async def record(client: httpx.AsyncClient, tenant: Tenant, call_id: str) -> JSON:
    return await callsetup.call(client, tenant, call_id)
