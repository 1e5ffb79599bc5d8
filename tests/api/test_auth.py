"""Authentication and authorisation: every way a key can be wrong, and both header styles."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.clock import FrozenClock
from tests.conftest import Tenant, make_key

URL = "/api/v1/members"


async def test_bearer_and_apikey_headers_both_work(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bearer = await client.get(URL, headers={"Authorization": f"Bearer {tenant.key}"})
    apikey = await client.get(URL, headers={"ApiKey": tenant.key})
    lower_scheme = await client.get(URL, headers={"Authorization": f"bearer {tenant.key}"})
    assert (bearer.status_code, apikey.status_code, lower_scheme.status_code) == (200, 200, 200)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Bearer crk_AAAAAAAA_" + "B" * 40},
        {"ApiKey": "00000000-0000-0000-0000-000000000000"},
    ],
)
async def test_missing_or_invalid_key_is_401(
    client: httpx.AsyncClient, tenant: Tenant, headers: dict[str, str]
) -> None:
    response = await client.get(URL, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_tampered_secret_with_real_prefix_is_401(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    tampered = tenant.key[:-1] + ("A" if tenant.key[-1] != "A" else "B")
    response = await client.get(URL, headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401


async def test_expired_key_is_401(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    assert isinstance(ctx.clock, FrozenClock)
    key = await make_key(
        ctx, tenant, role=Role.VIEWER, expires_at=ctx.clock.now() + timedelta(hours=1)
    )
    assert (await client.get(URL, headers={"ApiKey": key})).status_code == 200
    ctx.clock.advance(timedelta(hours=1))
    response = await client.get(URL, headers={"ApiKey": key})
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_revoked_key_is_401_at_once(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    key = await make_key(ctx, tenant, role=Role.ADMIN)
    created = await client.get("/api/v1/api-keys", headers=tenant.headers)
    target = next(k for k in created.json()["data"] if key.startswith(k["prefix"]))
    assert (await client.get(URL, headers={"ApiKey": key})).status_code == 200
    revoked = await client.delete(f"/api/v1/api-keys/{target['id']}", headers=tenant.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = await client.get(URL, headers={"ApiKey": key})
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


async def test_permission_lacking_key_is_403(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    viewer = {"ApiKey": await make_key(ctx, tenant, role=Role.VIEWER)}
    assert (await client.get(URL, headers=viewer)).status_code == 200
    response = await client.post(URL, json={"name": "X"}, headers=viewer)
    assert response.status_code == 403
    assert "members:write" in response.json()["error"]["message"]

    routers_only = {"ApiKey": await make_key(ctx, tenant, permissions=["routers:read"])}
    assert (await client.get(URL, headers=routers_only)).status_code == 403

    members_write = {"ApiKey": await make_key(ctx, tenant, permissions=["members:write"])}
    # write implies read of the same resource
    assert (await client.get(URL, headers=members_write)).status_code == 200
    assert (await client.post(URL, json={"name": "X"}, headers=members_write)).status_code == 201


async def test_403_happens_before_body_validation_changes_anything(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    viewer = {"ApiKey": await make_key(ctx, tenant, role=Role.VIEWER)}
    response = await client.patch(f"{URL}/whatever", json={"name": "X"}, headers=viewer)
    assert response.status_code == 403


async def test_last_used_is_recorded_without_writing_on_every_request(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    assert isinstance(ctx.clock, FrozenClock)
    first_seen = ctx.clock.now()
    await client.get(URL, headers=tenant.headers)
    ctx.clock.advance(timedelta(seconds=10))
    await client.get(URL, headers=tenant.headers)
    keys = (await client.get("/api/v1/api-keys", headers=tenant.headers)).json()["data"]
    assert keys[0]["last_used_at"] == first_seen.isoformat().replace("+00:00", "Z")
    ctx.clock.advance(timedelta(minutes=2))
    await client.get(URL, headers=tenant.headers)
    keys = (await client.get("/api/v1/api-keys", headers=tenant.headers)).json()["data"]
    assert keys[0]["last_used_at"] == ctx.clock.now().isoformat().replace("+00:00", "Z")


async def test_rate_limit_answers_429_with_retry_after(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, other_tenant: Tenant
) -> None:
    from callroute.auth.ratelimit import RateLimiter

    ctx.rate_limiter = RateLimiter(per_minute=3, monotonic=lambda: 1000.0)
    statuses = [(await client.get(URL, headers=tenant.headers)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = await client.get(URL, headers=tenant.headers)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    # Buckets are per key: another key is unaffected.
    assert (await client.get(URL, headers=other_tenant.headers)).status_code == 200
