"""What the live call router tests share: a directory to page, and JSON:API requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests import factories
from tests.conftest import Tenant

JSON = dict[str, Any]
BASE = "/v1/live_call_routers"
MEDIA_TYPE = "application/vnd.api+json"
MUSIC = "https://storage.rootly.com/twilio/voicemail/"
CLOCKWORK_WALTZ = MUSIC + "ClockworkWaltz.mp3"


def headers(tenant: Tenant | str) -> dict[str, str]:
    key = tenant if isinstance(tenant, str) else tenant.key
    return {"Authorization": f"Bearer {key}", "Content-Type": MEDIA_TYPE}


def document(attributes: JSON, **data: Any) -> JSON:
    return {"data": {"type": "live_call_routers", **data, "attributes": attributes}}


@dataclass
class Directory:
    """Ann, Bob and Chris; a policy (Ann, then Bob, then Chris); a service and a
    functionality paging that policy; a team of Bob and Chris; a simulator connection."""

    members: dict[str, JSON]
    policy: JSON
    service: JSON
    functionality: JSON
    team: JSON
    connection: JSON
    urgencies: dict[str, str]  # slug → id

    def target(self, kind: str, urgency: str | None = "high") -> JSON:
        row = {
            "service": self.service,
            "functionality": self.functionality,
            "team": self.team,
            "escalation_policy": self.policy,
        }[kind]
        target = {"id": row["id"], "type": kind}
        if urgency is not None:
            target["alert_urgency_id"] = self.urgencies[urgency]
        return target


async def directory(client: httpx.AsyncClient, tenant: Tenant) -> Directory:
    members = {
        name: await factories.member(client, tenant, name, number)
        for name, number in (
            ("Ann", "+14155550101"),
            ("Bob", "+14155550102"),
            ("Chris", "+14155550103"),
        )
    }
    policy = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {
            "name": "Primary",
            "levels": [
                {"ring_timeout_seconds": 20, "targets": [{"type": "member", "id": m["id"]}]}
                for m in members.values()
            ],
        },
    )
    service = await factories.post(
        client, tenant, "services", {"name": "Security", "escalation_policy_id": policy["id"]}
    )
    functionality = await factories.post(
        client,
        tenant,
        "services",
        {"name": "Checkout", "kind": "functionality", "escalation_policy_id": policy["id"]},
    )
    team = await factories.post(
        client,
        tenant,
        "teams",
        {"name": "Database", "member_ids": [members["Bob"]["id"], members["Chris"]["id"]]},
    )
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    listed = (await client.get("/api/v1/urgencies", headers=tenant.headers)).json()["data"]
    urgencies = {u["slug"]: u["id"] for u in listed}
    return Directory(members, policy, service, functionality, team, connection, urgencies)


def minimal(d: Directory, **extra: Any) -> JSON:
    """The attributes a create requires."""
    return {
        "kind": "voicemail",
        "name": "Support hotline",
        "country_code": "US",
        "phone_type": "local",
        "voicemail_greeting": "Please leave a message after the tone.",
        "paging_targets": [d.target("escalation_policy")],
        **extra,
    }


async def create(client: httpx.AsyncClient, tenant: Tenant, attributes: JSON) -> JSON:
    response = await client.post(BASE, json=document(attributes), headers=headers(tenant))
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    data: JSON = response.json()["data"]
    return data


async def update(
    client: httpx.AsyncClient, tenant: Tenant, router_id: str, attributes: JSON
) -> JSON:
    response = await client.put(
        f"{BASE}/{router_id}", json=document(attributes), headers=headers(tenant)
    )
    assert response.status_code == 200, response.text
    data: JSON = response.json()["data"]
    return data


async def fetch(client: httpx.AsyncClient, tenant: Tenant | str, router_id: str) -> JSON:
    response = await client.get(f"{BASE}/{router_id}", headers=headers(tenant))
    assert response.status_code == 200, response.text
    data: JSON = response.json()["data"]
    return data


async def native(client: httpx.AsyncClient, tenant: Tenant, router_id: str) -> JSON:
    response = await client.get(f"/api/v1/routers/{router_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: JSON = response.json()
    return data


def errors(response: httpx.Response, status: int) -> list[JSON]:
    """The response's JSON:API error objects, after checking Rootly's error shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert list(body) == ["errors"]
    for error in body["errors"]:
        assert set(error) == {"title", "status", "code", "detail"}
        assert error["status"] == str(status)
        assert isinstance(error["title"], str)
        assert error["title"]
    found: list[JSON] = body["errors"]
    return found
