"""Failed authentication is throttled per client address, and testing a connection (which
uses its stored credentials) takes a write permission."""

from __future__ import annotations

import httpx
import pytest

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.auth.ratelimit import RateLimiter
from callroute.config import Settings
from callroute.db.session import Database
from tests import factories
from tests.conftest import Tenant, make_key, make_tenant

WRONG = "crk_AAAAAAAA_" + "B" * 40


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic() -> Monotonic:
    return Monotonic()


@pytest.fixture
def throttled(settings: Settings, database: Database, monotonic: Monotonic) -> AppContext:
    return AppContext(
        settings=settings.model_copy(update={"auth_failures_per_minute": 5}),
        db=database,
        rate_limiter=RateLimiter(0, monotonic=monotonic),
    )


def client_from(ctx: AppContext, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(ctx=ctx), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://callroute.test")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_failed_authentication_is_throttled_per_address(
    throttled: AppContext, monotonic: Monotonic
) -> None:
    tenant = await make_tenant(throttled, "Acme")
    # The right key with its last character changed (to "x", or "y" if it was "x" already).
    near_miss = tenant.key[:-1] + ("y" if tenant.key.endswith("x") else "x")
    guesses = [WRONG, near_miss, "crk_short", "not-a-key", WRONG]
    async with client_from(throttled, "203.0.113.7") as attacker:
        for guess in guesses:
            response = await attacker.get("/api/v1/project", headers=bearer(guess))
            assert response.status_code == 401, response.text
        response = await attacker.get("/api/v1/project", headers=bearer(WRONG))
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limited"
        assert int(response.headers["Retry-After"]) == 12  # one try back every 60/5 s
        # While throttled, even the right key is not looked at: a guess learns nothing.
        response = await attacker.get("/api/v1/project", headers=tenant.headers)
        assert response.status_code == 429
        # Compatible APIs share the throttle.
        response = await attacker.get("/v1/live_call_routers", headers=bearer(WRONG))
        assert response.status_code == 429

        async with client_from(throttled, "198.51.100.9") as neighbour:
            response = await neighbour.get("/api/v1/project", headers=tenant.headers)
            assert response.status_code == 200

        monotonic.now += 12  # one failure's worth of time
        assert (await attacker.get("/api/v1/project", headers=tenant.headers)).status_code == 200
        assert (await attacker.get("/api/v1/project", headers=bearer(WRONG))).status_code == 401
        assert (await attacker.get("/api/v1/project", headers=tenant.headers)).status_code == 429


async def test_a_missing_key_and_successes_do_not_count(throttled: AppContext) -> None:
    tenant = await make_tenant(throttled, "Acme")
    async with client_from(throttled, "203.0.113.8") as client:
        for _ in range(10):
            assert (await client.get("/api/v1/project")).status_code == 401
            assert (await client.get("/api/v1/project", headers=tenant.headers)).status_code == 200


async def test_testing_a_connection_takes_the_write_permission(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant
) -> None:
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    path = f"/api/v1/connections/{connection['id']}/test"
    viewer = await make_key(ctx, tenant, role=Role.VIEWER)
    reader = await make_key(ctx, tenant, permissions=["connections:read"])
    for key in (viewer, reader):
        response = await client.post(path, headers=bearer(key))
        assert response.status_code == 403, response.text
        assert "connections:write" in response.json()["error"]["message"]
    writer = await make_key(ctx, tenant, permissions=["connections:write"])
    response = await client.post(path, headers=bearer(writer))
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
