"""OneUptime's typed query operators, sorting and paging, on policies (filtered in memory) and
on call logs (filtered in SQL): the same request means the same thing on both."""

from __future__ import annotations

from typing import Any

import httpx

from callroute.app_context import AppContext
from tests import callsetup
from tests.compat.oneuptime_calls import dial, hotline
from tests.compat.oneuptime_support import (
    LOG_ITEMS,
    LOGS,
    POLICIES,
    create_policy,
    get_list,
    ok,
)
from tests.conftest import Tenant


async def _policies(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {
            "name": "Alpha support",
            "description": "EU customers",
            "repeatPolicyIfNoOneAnswersTimes": 1,
            "labels": [{"name": "eu"}, {"name": "support"}],
        },
        {
            "name": "Beta billing",
            "repeatPolicyIfNoOneAnswersTimes": 3,
            "labels": [{"name": "eu"}],
            "isEnabled": False,
        },
        {
            "name": "Gamma SUPPORT",
            "description": "US customers",
            "repeatPolicyIfNoOneAnswersTimes": 5,
        },
    ]
    return {spec["name"]: await create_policy(client, tenant, **spec) for spec in specs}


async def _names(client: httpx.AsyncClient, tenant: Tenant, query: dict[str, Any]) -> list[str]:
    listed = await get_list(
        client, tenant, POLICIES, select={"name": True}, query=query, sort={"name": "ASC"}
    )
    counted = await ok(client, "POST", f"{POLICIES}/count", tenant, {"query": query})
    assert counted["count"] == listed["count"] == len(listed["data"])
    return [item["name"] for item in listed["data"]]


async def test_every_operator_on_policies(client: httpx.AsyncClient, tenant: Tenant) -> None:
    made = await _policies(client, tenant)
    alpha, beta = made["Alpha support"], made["Beta billing"]
    eu = alpha["labels"][0]["_id"]
    support = alpha["labels"][1]["_id"]
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"name": "Beta billing"}, ["Beta billing"]),
        ({"isEnabled": False}, ["Beta billing"]),
        ({"description": None}, ["Beta billing"]),
        ({"_id": {"_type": "ObjectID", "value": alpha["_id"]}}, ["Alpha support"]),
        ({"name": {"_type": "EqualTo", "value": "Alpha support"}}, ["Alpha support"]),
        (
            {"name": {"_type": "NotEqual", "value": "Alpha support"}},
            ["Beta billing", "Gamma SUPPORT"],
        ),
        ({"description": {"_type": "NotEqual", "value": "EU customers"}}, ["Gamma SUPPORT"]),
        (
            {"description": {"_type": "EqualToOrNull", "value": "EU customers"}},
            ["Alpha support", "Beta billing"],
        ),
        ({"name": {"_type": "Search", "value": "support"}}, ["Alpha support", "Gamma SUPPORT"]),
        ({"name": {"_type": "StartsWith", "value": "beta"}}, ["Beta billing"]),
        ({"name": {"_type": "EndsWith", "value": "PORT"}}, ["Alpha support", "Gamma SUPPORT"]),
        ({"description": {"_type": "NotContains", "value": "eu"}}, ["Gamma SUPPORT"]),
        (
            {"name": {"_type": "MultiSearch", "value": "customers", "columns": ["description"]}},
            ["Alpha support", "Gamma SUPPORT"],
        ),
        (
            {"repeatPolicyIfNoOneAnswersTimes": {"_type": "GreaterThan", "value": 1}},
            ["Beta billing", "Gamma SUPPORT"],
        ),
        (
            {"repeatPolicyIfNoOneAnswersTimes": {"_type": "GreaterThanOrEqual", "value": 3}},
            ["Beta billing", "Gamma SUPPORT"],
        ),
        ({"repeatPolicyIfNoOneAnswersTimes": {"_type": "LessThan", "value": 3}}, ["Alpha support"]),
        (
            {"repeatPolicyIfNoOneAnswersTimes": {"_type": "LessThanOrEqual", "value": 3}},
            ["Alpha support", "Beta billing"],
        ),
        (
            {
                "repeatPolicyIfNoOneAnswersTimes": {
                    "_type": "InBetween",
                    "startValue": 2,
                    "endValue": 5,
                }
            },
            ["Beta billing", "Gamma SUPPORT"],
        ),
        (
            {
                "phoneNumberPurchasedAt": {
                    "_type": "GreaterThanOrNull",
                    "value": "2026-01-01T00:00:00Z",
                }
            },
            ["Alpha support", "Beta billing", "Gamma SUPPORT"],
        ),
        (
            {
                "phoneNumberPurchasedAt": {
                    "_type": "LessThanOrNull",
                    "value": {"_type": "DateTime", "value": "2026-01-01T00:00:00Z"},
                }
            },
            ["Alpha support", "Beta billing", "Gamma SUPPORT"],
        ),
        ({"createdAt": {"_type": "LessThan", "value": "2020-01-01T00:00:00Z"}}, []),
        (
            {"_id": {"_type": "Includes", "value": [alpha["_id"], beta["_id"]]}},
            ["Alpha support", "Beta billing"],
        ),
        (
            {"_id": {"_type": "IncludesNone", "value": [alpha["_id"]]}},
            ["Beta billing", "Gamma SUPPORT"],
        ),
        ({"labels": {"_type": "Includes", "value": [support]}}, ["Alpha support"]),
        (
            {"labels": {"_type": "Includes", "value": [eu, support]}},
            ["Alpha support", "Beta billing"],
        ),
        ({"labels": {"_type": "IncludesAll", "value": [eu, support]}}, ["Alpha support"]),
        (
            {"labels": {"_type": "IncludesNone", "value": [support]}},
            ["Beta billing", "Gamma SUPPORT"],
        ),
        ({"labels": {"_type": "IsNull"}}, ["Gamma SUPPORT"]),
        ({"labels": {"_type": "NotNull"}}, ["Alpha support", "Beta billing"]),
        ({"description": {"_type": "IsNull"}}, ["Beta billing"]),
        ({"description": {"_type": "NotNull"}}, ["Alpha support", "Gamma SUPPORT"]),
        ({"isEnabled": True, "labels": {"_type": "NotNull"}}, ["Alpha support"]),
    ]
    for query, expected in cases:
        assert await _names(client, tenant, query) == expected, query


async def test_sorting_and_paging_policies(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _policies(client, tenant)
    names = ["Alpha support", "Beta billing", "Gamma SUPPORT"]
    for direction, expected in (
        ("ASC", names),
        (1, names),
        ("DESC", names[::-1]),
        (-1, names[::-1]),
    ):
        listed = await get_list(
            client, tenant, POLICIES, select={"name": True}, sort={"name": direction}
        )
        assert [i["name"] for i in listed["data"]] == expected, direction
    # The default order is OneUptime's: newest first.
    newest = await get_list(client, tenant, POLICIES, select={"name": True})
    assert [i["name"] for i in newest["data"]] == names[::-1]
    by_times = await get_list(
        client,
        tenant,
        POLICIES,
        select={"name": True},
        sort={"isEnabled": "ASC", "repeatPolicyIfNoOneAnswersTimes": "DESC"},
    )
    assert [i["name"] for i in by_times["data"]] == [
        "Beta billing",
        "Gamma SUPPORT",
        "Alpha support",
    ]
    pages = [
        await get_list(
            client, tenant, POLICIES, select={"name": True}, sort={"name": 1}, skip=skip, limit=2
        )
        for skip in (0, 2, 4)
    ]
    assert [[i["name"] for i in p["data"]] for p in pages] == [names[:2], names[2:], []]
    assert [(p["count"], p["skip"], p["limit"]) for p in pages] == [(3, 0, 2), (3, 2, 2), (3, 4, 2)]
    # skip and limit in the body are honoured too.
    in_body = await ok(
        client,
        "POST",
        f"{POLICIES}/get-list",
        tenant,
        {"skip": 1, "limit": 1, "sort": {"name": 1}, "select": {"name": True}},
    )
    assert [i["name"] for i in in_body["data"]] == names[1:2]
    default = await get_list(client, tenant, POLICIES)
    assert default["limit"] == 10


async def test_operators_on_call_logs_run_in_sql(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await hotline(client, tenant)
    answered = await dial(client, tenant, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    missed = await dial(client, tenant, default="no-answer", **{"from": "+14155550177"})
    await callsetup.settle(ctx)
    hung_up = await dial(client, tenant, default="no-answer", hangup_after=5)
    await callsetup.settle(ctx)
    ids = {"answered": answered["id"], "missed": missed["id"], "hung_up": hung_up["id"]}

    async def which(query: dict[str, Any], **extra: Any) -> list[str]:
        listed = await get_list(client, tenant, LOGS, select={"status": True}, query=query, **extra)
        counted = await ok(client, "POST", f"{LOGS}/count", tenant, {"query": query})
        assert counted["count"] == listed["count"]
        by_id = {v: k for k, v in ids.items()}
        return sorted(by_id[i["_id"]] for i in listed["data"])

    ann = line.members["Ann"]["id"]
    assert await which({"status": "Completed"}) == ["answered"]
    assert await which(
        {"status": {"_type": "Includes", "value": ["NoAnswer", "CallerHungUp"]}}
    ) == ["hung_up", "missed"]
    assert await which({"status": {"_type": "NotEqual", "value": "Completed"}}) == [
        "hung_up",
        "missed",
    ]
    assert await which({"callerPhoneNumber": {"_type": "Phone", "value": "+1 415 555 0177"}}) == [
        "missed"
    ]
    assert await which({"callerPhoneNumber": {"_type": "Search", "value": "2071"}}) == [
        "answered",
        "hung_up",
    ]
    assert await which({"callerPhoneNumber": {"_type": "StartsWith", "value": "+1"}}) == ["missed"]
    assert await which({"callerPhoneNumber": {"_type": "EndsWith", "value": "0177"}}) == ["missed"]
    assert await which({"statusMessage": {"_type": "NotContains", "value": "hung"}}) == ["missed"]
    assert await which({"answeredByUserId": ann}) == ["answered"]
    assert await which({"answeredByUserId": {"_type": "NotNull"}}) == ["answered"]
    assert await which({"answeredByUserId": {"_type": "IsNull"}}) == ["hung_up", "missed"]
    assert await which({"answeredByUserId": {"_type": "EqualToOrNull", "value": ann}}) == [
        "answered",
        "hung_up",
        "missed",
    ]
    assert await which(
        {"repeatCount": 0, "currentEscalationRuleOrder": {"_type": "GreaterThan", "value": 1}}
    ) == ["missed"]
    assert await which({"incomingCallPolicyId": line.policy["_id"]}) == [
        "answered",
        "hung_up",
        "missed",
    ]
    assert await which({"_id": {"_type": "IncludesNone", "value": [ids["missed"]]}}) == [
        "answered",
        "hung_up",
    ]
    started = {
        k: (await get_list(client, tenant, LOGS, select={"startedAt": True}, query={"_id": v}))[
            "data"
        ][0]["startedAt"]
        for k, v in ids.items()
    }
    assert await which(
        {
            "startedAt": {
                "_type": "InBetween",
                "startValue": started["missed"],
                "endValue": started["hung_up"],
            }
        }
    ) == ["hung_up", "missed"]
    assert await which({"startedAt": {"_type": "GreaterThan", "value": started["missed"]}}) == [
        "hung_up"
    ]
    assert await which(
        {
            "endedAt": {
                "_type": "LessThanOrEqual",
                "value": {"_type": "DateTime", "value": started["missed"]},
            }
        }
    ) == ["answered"]
    ordered = await get_list(
        client, tenant, LOGS, select={"status": True}, sort={"startedAt": "ASC"}
    )
    assert [i["_id"] for i in ordered["data"]] == [ids["answered"], ids["missed"], ids["hung_up"]]
    newest = await get_list(client, tenant, LOGS, limit=1)
    assert (newest["count"], [i["_id"] for i in newest["data"]]) == (3, [ids["hung_up"]])
    items = await get_list(
        client, tenant, LOG_ITEMS, query={"isAnswered": True}, select={"userId": True}
    )
    assert [i["userId"] for i in items["data"]] == [ann]
    by_status = await ok(
        client, "POST", f"{LOG_ITEMS}/count", tenant, {"query": {"status": "NoAnswer"}}
    )
    assert by_status == {"count": 2}  # Ann and Bob on the missed call
