"""Every request and response example of OneUptime's Incoming Call Policy API reference,
replayed. The reference's placeholder project id is replaced by the key's project, the only
project an API key can write to."""

from __future__ import annotations

from typing import Any

import httpx

from tests.compat.oneuptime_support import POLICIES, UUID, create_policy, ok, send
from tests.conftest import Tenant

SEED_PROJECT = "550e8400-e29b-41d4-a716-446655440000"
SELECT = {
    "isEnabled": True,
    "name": True,
    "projectId": True,
    "repeatPolicyIfNoOneAnswers": True,
    "repeatPolicyIfNoOneAnswersTimes": True,
}


def seed_item(tenant: Tenant) -> dict[str, Any]:
    """The item every example of the reference shows, in this project."""
    return {
        "isEnabled": True,
        "name": "Example name",
        "projectId": str(tenant.project_id),
        "repeatPolicyIfNoOneAnswers": True,
        "repeatPolicyIfNoOneAnswersTimes": 100,
    }


async def test_create_request_answers_the_created_object(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # POST /api/incoming-call-policy — the reference's "Create Request".
    body = {"data": {**seed_item(tenant), "projectId": str(tenant.project_id)}}
    response = await send(client, "POST", POLICIES, tenant, body)
    assert response.status_code == 200, response.text
    created = response.json()
    assert UUID.match(created["_id"])
    # The reference's response, and the rest of the object as OneUptime's create returns it.
    assert {k: created[k] for k in seed_item(tenant)} == seed_item(tenant)
    assert created["slug"] == "example-name"
    assert created["createdAt"].endswith("Z")


async def test_list_request_answers_count_limit_skip_data(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ids = [
        (await create_policy(client, tenant, **{**seed_item(tenant), "name": "Example name"}))[
            "_id"
        ]
        for _ in range(3)
    ]
    await create_policy(client, tenant, name="Another name")
    # POST /api/incoming-call-policy/get-list?skip=0&limit=10 — the reference's "List Request".
    response = await send(
        client,
        "POST",
        f"{POLICIES}/get-list",
        tenant,
        {"select": SELECT, "query": {"name": "Example name"}, "sort": {"createdAt": -1}},
        params={"skip": 0, "limit": 10},
    )
    assert response.status_code == 200, response.text
    listed = response.json()
    assert list(listed) == ["count", "limit", "skip", "data"]
    assert (listed["count"], listed["limit"], listed["skip"]) == (3, 10, 0)
    assert sorted(item["_id"] for item in listed["data"]) == sorted(ids)
    for item in listed["data"]:
        assert item == {"_id": item["_id"], **seed_item(tenant)}
    # The same by GET, as the reference allows ("GET or POST").
    by_get = await ok(
        client,
        "GET",
        f"{POLICIES}/get-list",
        tenant,
        {"select": SELECT, "query": {"name": "Example name"}, "sort": {"createdAt": -1}},
        params={"skip": 0, "limit": 10},
    )
    assert by_get == listed


async def test_get_item_request_answers_the_selected_columns(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create_policy(client, tenant, **seed_item(tenant))
    # POST /api/incoming-call-policy/:id/get-item — the reference's "Get Item Request".
    got = await ok(
        client, "POST", f"{POLICIES}/{created['_id']}/get-item", tenant, {"select": SELECT}
    )
    assert got == {"_id": created["_id"], **seed_item(tenant)}
    by_get = await ok(
        client, "GET", f"{POLICIES}/{created['_id']}/get-item", tenant, {"select": SELECT}
    )
    assert by_get == got


async def test_count_request_answers_the_count(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for name in ("Example name", "Example name", "Other"):
        await create_policy(client, tenant, name=name)
    # POST /api/incoming-call-policy/count — the reference's "Count Request".
    counted = await ok(
        client, "POST", f"{POLICIES}/count", tenant, {"query": {"name": "Example name"}}
    )
    assert counted == {"count": 2}


async def test_update_request_answers_an_empty_object_by_every_method(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create_policy(
        client, tenant, name="Before", isEnabled=False, repeatPolicyIfNoOneAnswers=False
    )
    url = f"{POLICIES}/{created['_id']}"
    # PUT /api/incoming-call-policy/:id — the reference's "Update Request".
    body = {"data": {"isEnabled": True, "name": "Example name", "repeatPolicyIfNoOneAnswers": True}}
    assert await ok(client, "PUT", url, tenant, body) == {}
    got = await ok(client, "POST", f"{url}/get-item", tenant, {"select": SELECT})
    assert got["name"] == "Example name"
    assert (got["isEnabled"], got["repeatPolicyIfNoOneAnswers"]) == (True, True)
    # The alternatives for clients without PUT.
    for method, name in (("POST", "By post"), ("GET", "By get")):
        update = {"data": {"name": name}}
        assert await ok(client, method, f"{url}/update-item", tenant, update) == {}
        got = await ok(client, "POST", f"{url}/get-item", tenant, {"select": {"name": True}})
        assert got == {"_id": created["_id"], "name": name}


async def test_delete_request_answers_an_empty_object_by_every_method(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for method, suffix in (("DELETE", ""), ("POST", "/delete-item"), ("GET", "/delete-item")):
        created = await create_policy(client, tenant, name=f"Gone by {method}")
        # DELETE /api/incoming-call-policy/:id — the reference's "Delete Request".
        assert await ok(client, method, f"{POLICIES}/{created['_id']}{suffix}", tenant) == {}
        gone = await send(client, "POST", f"{POLICIES}/{created['_id']}/get-item", tenant)
        assert gone.status_code == 404
    assert (await ok(client, "POST", f"{POLICIES}/count", tenant)) == {"count": 0}


async def test_the_reference_project_id_is_refused_for_another_project(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"data": {**seed_item(tenant), "projectId": SEED_PROJECT}}
    response = await send(client, "POST", POLICIES, tenant, body)
    assert response.status_code == 400
    assert "projectId" in response.json()["error"]
