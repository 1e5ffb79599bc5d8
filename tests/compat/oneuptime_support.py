"""Talking to the OneUptime-compatible API the way a OneUptime client does."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import Tenant

POLICIES = "/api/incoming-call-policy"
RULES = "/api/incoming-call-policy-escalation-rule"
LOGS = "/api/incoming-call-log"
LOG_ITEMS = "/api/incoming-call-log-item"

JSON = dict[str, Any]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def headers(key: str) -> dict[str, str]:
    """OneUptime's clients send the key as ``ApiKey`` with a JSON content type."""
    return {"ApiKey": key, "Content-Type": "application/json"}


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    key: str | Tenant,
    body: Any = None,
    params: dict[str, Any] | None = None,
) -> httpx.Response:
    secret = key.key if isinstance(key, Tenant) else key
    return await client.request(method, path, json=body, params=params, headers=headers(secret))


async def ok(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    key: str | Tenant,
    body: Any = None,
    params: dict[str, Any] | None = None,
) -> JSON:
    response = await send(client, method, path, key, body, params)
    assert response.status_code == 200, (method, path, response.status_code, response.text)
    data: JSON = response.json()
    return data


def error_of(response: httpx.Response, status: int) -> str:
    """The message of a OneUptime error (``{"error": ...}``) with the expected status."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    message: str = body["error"]
    assert message
    return message


async def create_policy(client: httpx.AsyncClient, tenant: Tenant, **data: Any) -> JSON:
    return await ok(client, "POST", POLICIES, tenant, {"data": {"name": "Hotline", **data}})


async def create_rule(client: httpx.AsyncClient, tenant: Tenant, **data: Any) -> JSON:
    return await ok(client, "POST", RULES, tenant, {"data": data})


async def get_item(
    client: httpx.AsyncClient, tenant: Tenant, path: str, item_id: str, select: JSON | None = None
) -> JSON:
    body = {"select": select} if select is not None else None
    return await ok(client, "POST", f"{path}/{item_id}/get-item", tenant, body)


async def get_list(client: httpx.AsyncClient, tenant: Tenant, path: str, **body: Any) -> JSON:
    params: dict[str, Any] = {k: body.pop(k) for k in ("skip", "limit") if k in body}
    return await ok(client, "POST", f"{path}/get-list", tenant, body, params)


# -- for tests/api/test_isolation.py ------------------------------------------------------------

PREFIXES = (POLICIES, RULES, LOGS, LOG_ITEMS)
_WRITE: dict[str, object] = {"data": {"name": "hijacked"}}
ISOLATION_BODIES: dict[tuple[str, str], dict[str, object] | str | None] = {}
for _path, _param, _writable in (
    (POLICIES, "incoming_call_policy_id", True),
    (RULES, "escalation_rule_id", True),
    (LOGS, "incoming_call_log_id", False),
    (LOG_ITEMS, "incoming_call_log_item_id", False),
):
    _item = f"{_path}/{{{_param}}}"
    ISOLATION_BODIES[("GET", f"{_item}/get-item")] = None
    ISOLATION_BODIES[("POST", f"{_item}/get-item")] = None
    if _writable:
        ISOLATION_BODIES[("PUT", _item)] = _WRITE
        ISOLATION_BODIES[("GET", f"{_item}/update-item")] = _WRITE
        ISOLATION_BODIES[("POST", f"{_item}/update-item")] = _WRITE
        ISOLATION_BODIES[("DELETE", _item)] = None
        ISOLATION_BODIES[("GET", f"{_item}/delete-item")] = None
        ISOLATION_BODIES[("POST", f"{_item}/delete-item")] = None


async def ids_of(client: httpx.AsyncClient, tenant: Tenant, ids: dict[str, str]) -> dict[str, str]:
    """The OneUptime ids of ``factories.one_of_each``'s objects: its router is a policy, its
    call a log, the call's first leg an item; and a rule of the router's own, made here."""
    policy = await create_policy(client, tenant, name="Isolated")
    rule = await create_rule(
        client, tenant, incomingCallPolicyId=policy["_id"], userId=ids["member_id"]
    )
    items = await get_list(client, tenant, LOG_ITEMS, query={"incomingCallLogId": ids["call_id"]})
    return {
        "incoming_call_policy_id": ids["router_id"],
        "escalation_rule_id": rule["_id"],
        "incoming_call_log_id": ids["call_id"],
        "incoming_call_log_item_id": items["data"][0]["_id"],
    }
