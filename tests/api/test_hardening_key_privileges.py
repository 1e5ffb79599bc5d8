"""Revoking a key takes at least every permission of that key, so that no key can lock out
a stronger one; and a project keeps a working owner key. Tested for every pair of kinds of
key: the four roles, and keys with explicit permissions."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from callroute.api_keys.service import ApiKeyService
from callroute.app_context import AppContext
from callroute.auth.permissions import ALL_PERMISSIONS, Role
from callroute.clock import FrozenClock
from tests.conftest import Tenant, make_key

URL = "/api/v1/api-keys"

# name → (role, explicit permissions)
KINDS: dict[str, tuple[Role | None, list[str] | None]] = {
    "owner": (Role.OWNER, None),
    "admin": (Role.ADMIN, None),
    "member": (Role.MEMBER, None),
    "viewer": (Role.VIEWER, None),
    "keys-only": (None, ["api_keys:write"]),
    "keys-reader": (None, ["api_keys:read"]),
}
# Who may revoke whom: a revoker needs api_keys:write, and every permission of the target.
MAY_REVOKE = {
    "owner": set(KINDS),
    "admin": {"admin", "member", "viewer", "keys-only", "keys-reader"},
    "keys-only": {"keys-only", "keys-reader"},
}


def prefix_of(secret: str) -> str:
    return "_".join(secret.split("_")[:2])


async def key_id(client: httpx.AsyncClient, tenant: Tenant, secret: str) -> str:
    response = await client.get(f"{URL}/{prefix_of(secret)}", headers=tenant.headers)
    found: str = response.json()["id"]
    return found


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("target", KINDS)
@pytest.mark.parametrize("revoker", KINDS)
async def test_revoking_takes_every_permission_of_the_revoked_key(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant, revoker: str, target: str
) -> None:
    role, permissions = KINDS[revoker]
    revoker_key = await make_key(ctx, tenant, role=role, permissions=permissions)
    role, permissions = KINDS[target]
    target_key = await make_key(ctx, tenant, role=role, permissions=permissions)
    target_id = await key_id(client, tenant, target_key)

    response = await client.delete(f"{URL}/{target_id}", headers=bearer(revoker_key))

    if target in MAY_REVOKE.get(revoker, set()):
        assert response.status_code == 200, response.text
        assert response.json()["revoked_at"] is not None
        after = await client.get("/api/v1/project", headers=bearer(target_key))
        assert after.status_code == 401
        return
    assert response.status_code == 403, response.text
    message = response.json()["error"]["message"]
    if revoker in MAY_REVOKE:
        assert message.startswith("cannot revoke a key holding permissions this key does not")
    else:
        assert message == "this API key lacks the 'api_keys:write' permission"
    # The target still works, and is not marked revoked.
    assert (await client.get(f"{URL}/{target_id}", headers=tenant.headers)).json()[
        "revoked_at"
    ] is None
    assert (await client.get(URL, headers=bearer(target_key))).status_code != 401


async def test_an_admin_cannot_revoke_the_owner_key(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant
) -> None:
    admin = await make_key(ctx, tenant, role=Role.ADMIN)
    owner_id = await key_id(client, tenant, tenant.key)
    response = await client.delete(f"{URL}/{owner_id}", headers=bearer(admin))
    assert response.status_code == 403
    assert "project:write" in response.json()["error"]["message"]
    assert (await client.get("/api/v1/project", headers=tenant.headers)).status_code == 200


async def test_the_last_working_owner_key_cannot_be_revoked(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant, clock: FrozenClock
) -> None:
    owner_id = await key_id(client, tenant, tenant.key)
    response = await client.delete(f"{URL}/{owner_id}", headers=tenant.headers)
    assert response.status_code == 409, response.text
    assert "last working owner key" in response.json()["error"]["message"]

    # An expiring owner key does not count once it has expired.
    soon = await make_key(ctx, tenant, role=Role.OWNER, expires_at=clock.now() + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    response = await client.delete(f"{URL}/{owner_id}", headers=tenant.headers)
    assert response.status_code == 409, response.text
    assert (await client.get("/api/v1/project", headers=bearer(soon))).status_code == 401

    # With a second owner key (a role, or every permission listed), either may go.
    explicit = await make_key(ctx, tenant, permissions=sorted(ALL_PERMISSIONS))
    response = await client.delete(f"{URL}/{owner_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert (await client.get("/api/v1/project", headers=tenant.headers)).status_code == 401
    response = await client.delete(f"{URL}/{prefix_of(explicit)}", headers=bearer(explicit))
    assert response.status_code == 409, response.text


async def test_the_operator_can_revoke_any_key(ctx: AppContext, tenant: Tenant) -> None:
    """The CLI (``callroute api-key revoke``) acts for the operator, who owns the server."""
    async with ctx.db.unit_of_work() as session:
        service = ApiKeyService(session, tenant.project_id, ctx.clock)
        row = await service.revoke(prefix_of(tenant.key))
    assert row.revoked_at is not None
