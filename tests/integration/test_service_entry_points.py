"""Entry points of the core services that exist for the compatibility layers: each applies
the same rule as the native operation it is part of, so that a layer can ask for it without
keeping a copy of the rule."""

from __future__ import annotations

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.errors import Conflict
from callroute.escalation_policies.schemas import PolicyFields
from callroute.escalation_policies.service import PolicyService
from callroute.numbers.service import NumberService
from tests import factories
from tests.conftest import Tenant


async def test_a_number_any_project_holds_is_not_claimable(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, ctx: AppContext
) -> None:
    theirs = await factories.post(
        client, other_tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    held = await factories.post(
        client, other_tenant, "numbers", {"connection_id": theirs["id"], "country": "US"}
    )
    ours = await factories.post(client, tenant, "connections", {"name": "Sim", "kind": "simulator"})
    own = await factories.post(
        client, tenant, "numbers", {"connection_id": ours["id"], "country": "US"}
    )
    async with ctx.db.unit_of_work(readonly=True) as session:
        numbers = NumberService(session, tenant.project_id, ctx.clock)
        for number in (held["number"], own["number"]):  # another project's, or our own
            with pytest.raises(Conflict) as raised:
                await numbers.check_claimable(number)
            assert raised.value.field == "number"
            assert raised.value.message == f"number: {number} is already in use"
        await numbers.check_claimable("+14155550123")  # nobody's: no error

    # A claim refuses it with the same error.
    claim = await client.post(
        "/api/v1/numbers",
        json={"connection_id": ours["id"], "number": held["number"]},
        headers=tenant.headers,
    )
    assert claim.status_code == 409, claim.text
    assert claim.json()["error"] == {
        "code": "conflict",
        "message": f"number: {held['number']} is already in use",
        "field": "number",
    }


async def test_a_policy_without_levels_has_the_rules_of_any_policy(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    taken = await factories.policy(
        client, tenant, [{"type": "member", "id": (await factories.member(client, tenant))["id"]}]
    )
    async with ctx.db.unit_of_work() as session:
        policies = PolicyService(session, tenant.project_id, ctx.clock)
        with pytest.raises(Conflict) as raised:
            await policies.create_without_levels(PolicyFields(name=taken["name"]))
        assert raised.value.field == "name"
        created = await policies.create_without_levels(
            PolicyFields(name="Rules", description="Added later.", repeat_count=2)
        )
    got = await client.get(f"/api/v1/escalation-policies/{created.id}", headers=tenant.headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["name"], body["description"], body["repeat_count"]) == ("Rules", "Added later.", 2)
    assert body["levels"] == []
