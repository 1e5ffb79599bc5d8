"""Tenancy: a key of project B never reads, changes or counts project A's rows.

The routes are discovered from the app, so an endpoint added later without an entry here makes
this test fail until its isolation is covered.
"""

from __future__ import annotations

import re

import httpx

from callroute.app import create_app
from callroute.auth.permissions import Role
from callroute.context import AppContext
from tests.conftest import Tenant, make_key

# A body that would be accepted if the id belonged to the caller, per method and route.
BODIES: dict[tuple[str, str], dict[str, object] | None] = {
    ("GET", "/api/v1/members/{member_id}"): None,
    ("PATCH", "/api/v1/members/{member_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/members/{member_id}"): None,
    ("GET", "/api/v1/api-keys/{key_id}"): None,
    ("DELETE", "/api/v1/api-keys/{key_id}"): None,
}


def _routes(ctx: AppContext) -> list[tuple[str, str]]:
    """Every (method, path) of the native API, as published in the OpenAPI document."""
    paths = create_app(ctx=ctx).openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
    ]


async def test_every_id_route_answers_404_for_another_projects_id(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, ctx: AppContext
) -> None:
    member = (
        await client.post("/api/v1/members", json={"name": "A's member"}, headers=tenant.headers)
    ).json()
    a_key = await make_key(ctx, tenant, role=Role.VIEWER)
    keys = (await client.get("/api/v1/api-keys", headers=tenant.headers)).json()["data"]
    key = next(k for k in keys if a_key.startswith(k["prefix"]))
    ids = {"member_id": member["id"], "key_id": key["id"]}

    with_ids = [(m, p) for m, p in _routes(ctx) if "{" in p]
    assert sorted(with_ids) == sorted(BODIES), "cover the isolation of new routes in BODIES"
    for method, path in with_ids:
        url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        body = BODIES[(method, path)]
        response = await client.request(method, url, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, (method, path, response.text)

    # Nothing of A's changed.
    again = await client.get(f"/api/v1/members/{member['id']}", headers=tenant.headers)
    assert again.json() == member
    assert (await client.get("/api/v1/members", headers={"ApiKey": a_key})).status_code == 200


async def test_lists_never_show_or_count_another_projects_rows(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, ctx: AppContext
) -> None:
    for index in range(3):
        await client.post(
            "/api/v1/members",
            json={"name": f"A{index}", "phones": [{"number": "+14155550148"}]},
            headers=tenant.headers,
        )
    await client.post("/api/v1/members", json={"name": "B0"}, headers=other_tenant.headers)
    a_project = str(tenant.project_id)

    lists = [p for m, p in _routes(ctx) if m == "GET" and "{" not in p]
    assert lists, "no list routes found"
    for path in lists:
        response = await client.get(path, headers=other_tenant.headers)
        assert response.status_code == 200, path
        assert a_project not in response.text, path
        body = response.json()
        if "data" in body:
            assert all(not str(row.get("name", "")).startswith("A") for row in body["data"])
    members = (await client.get("/api/v1/members", headers=other_tenant.headers)).json()
    assert members["total"] == 1
    by_phone = (
        await client.get(
            "/api/v1/members", params={"phone": "+14155550148"}, headers=other_tenant.headers
        )
    ).json()
    assert by_phone == {"data": [], "total": 0, "next_cursor": None}
