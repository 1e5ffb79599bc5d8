"""Escalation rules through ``/api/incoming-call-policy-escalation-rule``: the same CRUD
conventions as policies, OneUptime's ordering, one target per rule, and the native escalation
policy they are written to."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories
from tests.compat.oneuptime_support import (
    POLICIES,
    RULES,
    UUID,
    create_policy,
    create_rule,
    error_of,
    get_item,
    get_list,
    ok,
    send,
)
from tests.conftest import Tenant


async def _people(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    ann = await factories.member(client, tenant, "Ann", "+14155550101", email="ann@example.com")
    bob = await factories.member(client, tenant, "Bob", "+14155550102")
    team = await factories.post(
        client, tenant, "teams", {"name": "SRE", "member_ids": [ann["id"], bob["id"]]}
    )
    schedule = await factories.schedule(client, tenant, [ann["id"], bob["id"]])
    return {"ann": ann, "bob": bob, "team": team, "schedule": schedule}


async def _orders(client: httpx.AsyncClient, tenant: Tenant, policy_id: str) -> list[str | None]:
    listed = await get_list(
        client,
        tenant,
        RULES,
        select={"name": True, "order": True},
        query={"incomingCallPolicyId": policy_id},
        sort={"order": "ASC"},
    )
    orders = [item["order"] for item in listed["data"]]
    assert orders == sorted(orders)
    return [item["name"] for item in listed["data"]]


async def test_a_rule_reads_back_and_is_a_level_of_the_policy_the_router_rings(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    people = await _people(client, tenant)
    policy = await create_policy(client, tenant, name="Support")
    rule = await create_rule(
        client,
        tenant,
        incomingCallPolicyId=policy["_id"],
        projectId=str(tenant.project_id),
        name="Primary On-Call",
        description="Whoever holds the pager",
        escalateAfterSeconds=20,
        userId=people["ann"]["id"],
    )
    assert UUID.match(rule["_id"])
    assert {k: rule[k] for k in ("name", "description", "order", "escalateAfterSeconds")} == {
        "name": "Primary On-Call",
        "description": "Whoever holds the pager",
        "order": 1,
        "escalateAfterSeconds": 20,
    }
    assert (rule["userId"], rule["teamId"], rule["onCallDutyPolicyScheduleId"]) == (
        people["ann"]["id"],
        None,
        None,
    )
    assert rule["incomingCallPolicyId"] == policy["_id"]
    related = await get_item(
        client,
        tenant,
        RULES,
        rule["_id"],
        {"user": {"name": True, "email": True}, "incomingCallPolicy": {"name": True}},
    )
    assert related == {
        "_id": rule["_id"],
        "user": {"_id": people["ann"]["id"], "name": "Ann", "email": "ann@example.com"},
        "incomingCallPolicy": {"_id": policy["_id"], "name": "Support"},
    }

    # The same data in the native API: the router rings an escalation policy whose level it is.
    h = tenant.headers
    router = (await client.get(f"/api/v1/routers/{policy['_id']}", headers=h)).json()
    assert router["action"]["target"]["type"] == "escalation_policy"
    native = (
        await client.get(
            f"/api/v1/escalation-policies/{router['action']['target']['id']}", headers=h
        )
    ).json()
    assert native["name"] == "Support (incoming call policy)"
    assert native["levels"] == [
        {
            "name": "Primary On-Call",
            "description": "Whoever holds the pager",
            "strategy": "sequential",
            "ring_timeout_seconds": 20,
            "delay_seconds": 0,
            "targets": [{"type": "member", "id": people["ann"]["id"]}],
        }
    ]


async def test_orders_insert_move_and_close_up_like_oneuptime(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    people = await _people(client, tenant)
    policy = await create_policy(client, tenant)
    ann = people["ann"]["id"]

    async def rule(name: str, **extra: Any) -> str:
        created = await create_rule(
            client, tenant, incomingCallPolicyId=policy["_id"], name=name, userId=ann, **extra
        )
        return str(created["_id"])

    a = await rule("A")
    await rule("B")
    c = await rule("C")
    assert await _orders(client, tenant, policy["_id"]) == ["A", "B", "C"]
    await rule("X", order=2)  # inserting at 2 moves B and C down
    assert await _orders(client, tenant, policy["_id"]) == ["A", "X", "B", "C"]
    await ok(client, "PUT", f"{RULES}/{c}", tenant, {"data": {"order": 1}})  # moving up
    assert await _orders(client, tenant, policy["_id"]) == ["C", "A", "X", "B"]
    await ok(client, "PUT", f"{RULES}/{c}", tenant, {"data": {"order": 3}})  # moving down
    assert await _orders(client, tenant, policy["_id"]) == ["A", "X", "C", "B"]
    await ok(client, "DELETE", f"{RULES}/{a}", tenant)  # the rest close up
    listed = await get_list(
        client, tenant, RULES, select={"name": True, "order": True}, sort={"order": 1}
    )
    assert [(r["name"], r["order"]) for r in listed["data"]] == [("X", 1), ("C", 2), ("B", 3)]
    # A gap is kept, as OneUptime keeps it; a rule without an order goes last.
    await rule("Far", order=10)
    await rule("Last")
    listed = await get_list(client, tenant, RULES, select={"order": True}, sort={"order": 1})
    assert [r["order"] for r in listed["data"]] == [1, 2, 3, 10, 11]


async def test_setting_one_target_clears_the_others(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    people = await _people(client, tenant)
    policy = await create_policy(client, tenant)
    rule = await create_rule(
        client, tenant, incomingCallPolicyId=policy["_id"], userId=people["ann"]["id"]
    )
    url = f"{RULES}/{rule['_id']}"
    targets = {"userId": True, "teamId": True, "onCallDutyPolicyScheduleId": True}
    for column, value in (
        ("onCallDutyPolicyScheduleId", people["schedule"]["id"]),
        ("teamId", people["team"]["id"]),
        ("userId", people["bob"]["id"]),
    ):
        await ok(client, "POST", f"{url}/update-item", tenant, {"data": {column: value}})
        got = await get_item(client, tenant, RULES, rule["_id"], targets)
        assert got == {"_id": rule["_id"], **dict.fromkeys(targets, None), column: value}
    # Clearing the only target leaves the rule ringing nobody: refused.
    cleared = await send(client, "PUT", url, tenant, {"data": {"userId": None}})
    assert "must be specified" in error_of(cleared, 400)
    # Naming another kind as null is harmless.
    await ok(client, "PUT", url, tenant, {"data": {"teamId": None, "name": "Renamed"}})


async def test_rule_errors_name_the_field(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    people = await _people(client, tenant)
    theirs = await factories.member(client, other_tenant, "Zed", "+14155550199")
    policy = await create_policy(client, tenant)
    base = {"incomingCallPolicyId": policy["_id"], "userId": people["ann"]["id"]}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"incomingCallPolicyId": policy["_id"]}, "must be specified"),
        (
            {**base, "onCallDutyPolicyScheduleId": people["schedule"]["id"]},
            "Only one of User, Team or On-Call Schedule",
        ),
        ({"userId": people["ann"]["id"]}, "incomingCallPolicyId: field required"),
        ({**base, "incomingCallPolicyId": "not-a-uuid"}, "incomingCallPolicyId"),
        ({**base, "userId": theirs["id"]}, "userId: no member"),  # the core's words
        ({**base, "escalateAfterSeconds": 4}, "escalateAfterSeconds"),
        ({**base, "escalateAfterSeconds": 601}, "escalateAfterSeconds"),
        ({**base, "escalateAfterSeconds": "30"}, "escalateAfterSeconds"),
        ({**base, "order": 0}, "order"),
        ({**base, "name": "x" * 101}, "name"),
        ({**base, "color": "red"}, "color"),
        ({**base, "user": {"_id": people["ann"]["id"]}}, "user column"),
        ({**base, "projectId": str(other_tenant.project_id)}, "projectId"),
    ]
    for data, expected in cases:
        response = await send(client, "POST", RULES, tenant, {"data": data})
        assert expected in error_of(response, 400), data
    other_policy = await create_policy(client, other_tenant, name="Theirs")
    foreign = await send(
        client,
        "POST",
        RULES,
        tenant,
        {"data": {**base, "incomingCallPolicyId": other_policy["_id"]}},
    )
    assert "incomingCallPolicyId: no Incoming Call Policy" in error_of(foreign, 400)
    rule = await create_rule(client, tenant, **base)
    for data, expected in (
        ({"incomingCallPolicyId": policy["_id"]}, "not allowed to update"),
        ({"order": None}, "order: cannot be null"),
        ({}, "nothing to update"),
    ):
        response = await send(client, "PUT", f"{RULES}/{rule['_id']}", tenant, {"data": data})
        assert expected in error_of(response, 400), data


async def test_a_policy_takes_at_most_twenty_rules_and_deleting_it_takes_its_rules(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    people = await _people(client, tenant)
    policy = await create_policy(client, tenant)
    for _ in range(20):
        await create_rule(
            client, tenant, incomingCallPolicyId=policy["_id"], userId=people["ann"]["id"]
        )
    extra = await send(
        client,
        "POST",
        RULES,
        tenant,
        {"data": {"incomingCallPolicyId": policy["_id"], "userId": people["ann"]["id"]}},
    )
    assert "at most 20" in error_of(extra, 400)
    router = (await client.get(f"/api/v1/routers/{policy['_id']}", headers=tenant.headers)).json()
    await ok(client, "DELETE", f"{POLICIES}/{policy['_id']}", tenant)
    assert await ok(client, "POST", f"{RULES}/count", tenant) == {"count": 0}
    gone = await client.get(
        f"/api/v1/escalation-policies/{router['action']['target']['id']}", headers=tenant.headers
    )
    assert gone.status_code == 404
