"""A router's description, labels and provider connection; named escalation levels; a
policy repeated up to a hundred times."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories
from tests.conftest import Tenant

API = "/api/v1"


async def _setup(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    ann = await factories.member(client, tenant)
    policy = await factories.policy(client, tenant, [{"type": "member", "id": ann["id"]}])
    sims = [
        await factories.post(client, tenant, "connections", {"name": name, "kind": "simulator"})
        for name in ("Sim A", "Sim B")
    ]
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": sims[0]["id"], "country": "US"}
    )
    return {"policy": policy, "sims": sims, "number": number}


def _ring(policy_id: str) -> dict[str, Any]:
    return {"type": "ring", "target": {"type": "escalation_policy", "id": policy_id}}


async def test_description_labels_and_connection_read_back_and_filter(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    s = await _setup(client, tenant)
    created = await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": "Billing line",
            "description": "Invoices and refunds",
            "labels": ["Billing", "eu", "billing"],
            "connection_id": s["sims"][0]["id"],
            "phone_number_ids": [s["number"]["id"]],
            "action": _ring(s["policy"]["id"]),
        },
    )
    assert created["description"] == "Invoices and refunds"
    assert created["labels"] == ["billing", "eu"]  # lower-cased, each once, in order
    assert created["connection_id"] == s["sims"][0]["id"]
    other = await factories.post(
        client, tenant, "routers", {"name": "Other", "action": _ring(s["policy"]["id"])}
    )
    assert (other["description"], other["labels"], other["connection_id"]) == ("", [], None)

    h = tenant.headers
    by_label = (await client.get(f"{API}/routers", params={"label": "EU"}, headers=h)).json()
    assert [r["id"] for r in by_label["data"]] == [created["id"]]
    none = (await client.get(f"{API}/routers", params={"label": "apac"}, headers=h)).json()
    assert none["total"] == 0

    patched = await client.patch(
        f"{API}/routers/{created['id']}",
        json={"labels": ["support"], "description": "", "connection_id": None},
        headers=h,
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["labels"], body["description"], body["connection_id"]) == (["support"], "", None)
    assert body["phone_numbers"] == created["phone_numbers"]  # untouched


async def test_bad_labels_and_connections_are_422_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    s = await _setup(client, tenant)
    foreign = await factories.post(
        client, other_tenant, "connections", {"name": "Theirs", "kind": "simulator"}
    )
    action = _ring(s["policy"]["id"])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"labels": ["ok", "not ok"]}, "labels[1]"),
        ({"labels": ["x"] * 21}, "labels"),
        ({"labels": "billing"}, "labels"),
        ({"description": "x" * 2001}, "description"),
        ({"connection_id": foreign["id"]}, "connection_id"),
        (
            # The number belongs to Sim A, not to the router's connection Sim B.
            {"connection_id": s["sims"][1]["id"], "phone_number_ids": [s["number"]["id"]]},
            "phone_number_ids[0]",
        ),
    ]
    for extra, field in cases:
        response = await client.post(
            f"{API}/routers",
            json={"name": "Line", "action": action, **extra},
            headers=tenant.headers,
        )
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["error"]["field"] == field
    created = await factories.post(
        client,
        tenant,
        "routers",
        {"name": "Line", "action": action, "phone_number_ids": [s["number"]["id"]]},
    )
    moved = await client.patch(
        f"{API}/routers/{created['id']}",
        json={"connection_id": s["sims"][1]["id"]},
        headers=tenant.headers,
    )
    assert moved.status_code == 422
    assert moved.json()["error"]["field"] == "phone_number_ids[0]"
    for field in ("labels", "description"):
        nulled = await client.patch(
            f"{API}/routers/{created['id']}", json={field: None}, headers=tenant.headers
        )
        assert nulled.status_code == 422
        assert nulled.json()["error"]["field"] == field


async def test_a_connection_named_by_a_router_cannot_be_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    s = await _setup(client, tenant)
    spare = s["sims"][1]
    router = await factories.post(
        client,
        tenant,
        "routers",
        {"name": "Line", "action": _ring(s["policy"]["id"]), "connection_id": spare["id"]},
    )
    refused = await client.delete(f"{API}/connections/{spare['id']}", headers=tenant.headers)
    assert refused.status_code == 409
    assert "Line" in refused.json()["error"]["message"]
    await client.patch(
        f"{API}/routers/{router['id']}", json={"connection_id": None}, headers=tenant.headers
    )
    deleted = await client.delete(f"{API}/connections/{spare['id']}", headers=tenant.headers)
    assert deleted.status_code == 200, deleted.text


async def test_levels_have_names_and_a_policy_repeats_up_to_a_hundred_times(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann = await factories.member(client, tenant)
    target = {"type": "member", "id": ann["id"]}
    created = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {
            "name": "Rota",
            "repeat_count": 100,
            "levels": [
                {"name": "Primary", "description": "Whoever holds the pager", "targets": [target]},
                {"targets": [target]},
            ],
        },
    )
    assert created["repeat_count"] == 100
    assert [(lv["name"], lv["description"]) for lv in created["levels"]] == [
        ("Primary", "Whoever holds the pager"),
        ("", ""),
    ]
    too_long = await client.post(
        f"{API}/escalation-policies",
        json={"name": "P2", "levels": [{"name": "x" * 201, "targets": [target]}]},
        headers=tenant.headers,
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["field"] == "levels[0].name"
