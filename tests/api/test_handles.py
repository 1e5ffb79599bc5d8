"""Integer handles of phone numbers, bots, SIP trunks and routers, and phone number owners."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests import factories
from tests.conftest import Tenant

JSON = dict[str, Any]


async def _bot(client: httpx.AsyncClient, tenant: Tenant, name: str) -> httpx.Response:
    return await client.post(
        "/api/v1/bots",
        json={"name": name, "websocket_url": "wss://bots.example.com/" + name},
        headers=tenant.headers,
    )


async def test_handles_count_per_project_and_kind_and_show_everywhere(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = await factories.one_of_each(client, tenant)
    other = await factories.one_of_each(client, other_tenant)
    h = tenant.headers
    for path, key in (
        ("numbers", "number_id"),
        ("bots", "bot_id"),
        ("sip-trunks", "trunk_id"),
        ("routers", "router_id"),
    ):
        mine = (await client.get(f"/api/v1/{path}/{ids[key]}", headers=h)).json()
        theirs = (
            await client.get(f"/api/v1/{path}/{other[key]}", headers=other_tenant.headers)
        ).json()
        assert (mine["handle"], theirs["handle"]) == (1, 1), path
        listed = (await client.get(f"/api/v1/{path}", headers=h)).json()["data"]
        assert [row["handle"] for row in listed] == [1], path

    second = await factories.post(
        client, tenant, "sip-trunks", {"name": "PBX 2", "uri": "sip:b@pbx.example.com"}
    )
    assert second["handle"] == 2
    patched = (
        await client.patch(f"/api/v1/sip-trunks/{second['id']}", json={"name": "B"}, headers=h)
    ).json()
    assert patched["handle"] == 2  # stable across updates


async def test_a_deleted_rows_handle_is_never_given_again(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = (await _bot(client, tenant, "one")).json()
    second = (await _bot(client, tenant, "two")).json()
    deleted = await client.delete(f"/api/v1/bots/{second['id']}", headers=tenant.headers)
    assert deleted.status_code == 200
    third = (await _bot(client, tenant, "three")).json()
    assert [first["handle"], second["handle"], third["handle"]] == [1, 2, 3]


async def test_concurrent_inserts_get_distinct_handles(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    responses = await asyncio.gather(*(_bot(client, tenant, f"bot-{i}") for i in range(8)))
    assert [r.status_code for r in responses] == [201] * 8
    assert sorted(r.json()["handle"] for r in responses) == list(range(1, 9))


async def test_a_refused_insert_takes_its_handle_back(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    assert (await _bot(client, tenant, "one")).status_code == 201
    assert (await _bot(client, tenant, "one")).status_code == 409  # duplicate name
    assert (await _bot(client, tenant, "two")).json()["handle"] == 2


async def test_phone_number_owner(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    h = tenant.headers
    ann = await factories.member(client, tenant, "Ann", "+14155550101")
    bob = await factories.member(client, tenant, "Bob", "+14155550102")
    stranger = await factories.member(client, other_tenant, "Eve", "+14155550109")
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    number = await factories.post(
        client,
        tenant,
        "numbers",
        {"connection_id": connection["id"], "country": "US", "owner_id": ann["id"]},
    )
    assert number["owner_id"] == ann["id"]
    url = f"/api/v1/numbers/{number['id']}"

    moved = await client.patch(url, json={"owner_id": bob["id"]}, headers=h)
    assert moved.json()["owner_id"] == bob["id"]
    by_owner = await client.get("/api/v1/numbers", params={"owner_id": bob["id"]}, headers=h)
    assert [n["id"] for n in by_owner.json()["data"]] == [number["id"]]
    nobody = await client.get("/api/v1/numbers", params={"owner_id": ann["id"]}, headers=h)
    assert nobody.json()["total"] == 0

    foreign = await client.patch(url, json={"owner_id": stranger["id"]}, headers=h)
    assert foreign.status_code == 422
    assert foreign.json()["error"]["field"] == "owner_id"
    assert (await client.get(url, headers=h)).json()["owner_id"] == bob["id"]

    assert (await client.delete(f"/api/v1/members/{bob['id']}", headers=h)).status_code == 200
    assert (await client.get(url, headers=h)).json()["owner_id"] is None

    await client.patch(url, json={"owner_id": ann["id"]}, headers=h)
    cleared = await client.patch(url, json={"owner_id": None}, headers=h)
    assert cleared.json()["owner_id"] is None
