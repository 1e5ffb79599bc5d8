"""API key lifecycle through the API: secret shown once, hashed at rest, scoped, revocable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
from sqlalchemy import select

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.clock import FrozenClock
from callroute.models import ApiKey
from tests.conftest import Tenant, make_key

URL = "/api/v1/api-keys"


async def test_secret_is_shown_once_and_only_its_hash_is_stored(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    response = await client.post(
        URL, json={"name": "ci", "permissions": ["routers:read"]}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    secret = created["key"]
    assert secret.startswith(created["prefix"] + "_")
    assert created["permissions"] == ["routers:read"]
    assert created["role"] is None

    fetched = (await client.get(f"{URL}/{created['id']}", headers=tenant.headers)).json()
    assert "key" not in fetched
    listed = (await client.get(URL, headers=tenant.headers)).json()
    assert all("key" not in k for k in listed["data"])
    assert listed["total"] == 2  # the tenant's owner key and this one

    async with ctx.db.unit_of_work(readonly=True) as session:
        row = await session.scalar(select(ApiKey).where(ApiKey.prefix == created["prefix"]))
    assert row is not None
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (row.key_hash, row.prefix, row.name)

    # The new key works and is limited to what it was given.
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/v1/members", headers=headers)).status_code == 403


async def test_key_can_be_found_and_revoked_by_prefix(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = (
        await client.post(URL, json={"name": "x", "role": "viewer"}, headers=tenant.headers)
    ).json()
    by_prefix = await client.get(f"{URL}/{created['prefix']}", headers=tenant.headers)
    assert by_prefix.json()["id"] == created["id"]
    first = (await client.delete(f"{URL}/{created['prefix']}", headers=tenant.headers)).json()
    second = (await client.delete(f"{URL}/{created['id']}", headers=tenant.headers)).json()
    assert first["revoked_at"] == second["revoked_at"]  # revoking twice keeps the first time
    live = (await client.get(URL, params={"revoked": "false"}, headers=tenant.headers)).json()
    assert created["id"] not in [k["id"] for k in live["data"]]
    dead = (await client.get(URL, params={"revoked": "true"}, headers=tenant.headers)).json()
    assert [k["id"] for k in dead["data"]] == [created["id"]]


async def test_create_validation(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    assert isinstance(ctx.clock, FrozenClock)
    past = (ctx.clock.now() - timedelta(minutes=1)).isoformat()
    cases = [
        ({"name": "x"}, "role"),
        ({"name": "x", "role": "viewer", "permissions": ["calls:read"]}, "role"),
        ({"name": "x", "permissions": ["calls:delete"]}, "permissions"),
        ({"name": "x", "role": "superuser"}, "role"),
        ({"name": "x", "role": "viewer", "expires_at": past}, "expires_at"),
        ({"name": "x", "role": "viewer", "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
        ({"name": "", "role": "viewer"}, "name"),
        ({"name": "x", "role": "viewer", "scopes": []}, "scopes"),
    ]
    for body, field in cases:
        response = await client.post(URL, json=body, headers=tenant.headers)
        assert response.status_code == 422, body
        assert response.json()["error"].get("field") == field, body


async def test_a_key_cannot_mint_a_stronger_key(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    limited = {
        "ApiKey": await make_key(ctx, tenant, permissions=["api_keys:write", "members:read"])
    }
    ok = await client.post(
        URL, json={"name": "r", "permissions": ["members:read"]}, headers=limited
    )
    assert ok.status_code == 201
    stronger = await client.post(
        URL, json={"name": "w", "permissions": ["members:write"]}, headers=limited
    )
    assert stronger.status_code == 403
    owner = await client.post(URL, json={"name": "o", "role": "owner"}, headers=limited)
    assert owner.status_code == 403
    admin = {"ApiKey": await make_key(ctx, tenant, role=Role.ADMIN)}
    assert (
        await client.post(URL, json={"name": "o", "role": "owner"}, headers=admin)
    ).status_code == 403
    assert (
        await client.post(URL, json={"name": "a", "role": "admin"}, headers=admin)
    ).status_code == 201


async def test_project_endpoint(client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext) -> None:
    project = (await client.get("/api/v1/project", headers=tenant.headers)).json()
    assert project["slug"] == tenant.slug
    renamed = await client.patch(
        "/api/v1/project", json={"name": "Acme Operations"}, headers=tenant.headers
    )
    assert renamed.json()["name"] == "Acme Operations"
    assert renamed.json()["slug"] == tenant.slug  # the slug is stable
    admin = {"ApiKey": await make_key(ctx, tenant, role=Role.ADMIN)}
    assert (
        await client.patch("/api/v1/project", json={"name": "x"}, headers=admin)
    ).status_code == 403
