"""Every failure under OneUptime's paths answers in OneUptime's shapes: ``{"error": ...}`` for
what its routes throw (400 bad data, 404, 422 permission), ``{"message": ...}`` for what its
middleware and router answer (401, unknown route). Never a 500, never another project's data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from tests import factories
from tests.compat.oneuptime_support import (
    LOGS,
    POLICIES,
    RULES,
    create_policy,
    create_rule,
    error_of,
    get_item,
    headers,
    ok,
    send,
)
from tests.conftest import Tenant, make_key


async def test_malformed_json_is_400(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for path in (POLICIES, f"{POLICIES}/get-list", f"{RULES}/count"):
        response = await client.post(path, content=b'{"data": ', headers=headers(tenant.key))
        assert "not valid JSON" in error_of(response, 400)


BAD_DATA: list[tuple[dict[str, Any], str]] = [
    ({}, "name: field required"),
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": 123}, "name"),
    ({"name": "P", "isEnabled": "true"}, "isEnabled"),
    ({"name": "P", "repeatPolicyIfNoOneAnswersTimes": 101}, "repeatPolicyIfNoOneAnswersTimes"),
    ({"name": "P", "repeatPolicyIfNoOneAnswersTimes": 0}, "repeatPolicyIfNoOneAnswersTimes"),
    ({"name": "P", "repeatPolicyIfNoOneAnswersTimes": -1}, "repeatPolicyIfNoOneAnswersTimes"),
    ({"name": "P", "repeatPolicyIfNoOneAnswersTimes": 2.5}, "repeatPolicyIfNoOneAnswersTimes"),
    ({"name": "P", "repeatPolicyIfNoOneAnswersTimes": "5"}, "repeatPolicyIfNoOneAnswersTimes"),
    ({"name": "P", "greetingMessage": "x" * 501}, "greetingMessage"),
    ({"name": "P", "description": ["x"]}, "description"),
    ({"name": "P", "colour": "red"}, "colour: unknown field"),
    ({"name": "P", "IsEnabled": True}, "IsEnabled: unknown field"),
    ({"name": "P", "isEnabled": None}, "isEnabled: cannot be null"),
    ({"name": "P", "slug": "p"}, "not allowed to create on slug column"),
    ({"name": "P", "createdByUserId": None}, "createdByUserId column"),
    ({"name": "P", "phoneNumberCountryCode": "US"}, "phoneNumberCountryCode column"),
    ({"name": "P", "routingPhoneNumber": "12345"}, "routingPhoneNumber"),
    ({"name": "P", "projectCallSMSConfigId": "nope"}, "projectCallSMSConfigId"),
    ({"name": "P", "labels": [{"colour": "red"}]}, "labels[0].colour"),
    ({"name": "P", "labels": [{}]}, "labels[0]: give the label's _id or name"),
]


async def test_bad_policy_data_is_400_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for data, expected in BAD_DATA:
        response = await send(client, "POST", POLICIES, tenant, {"data": data})
        assert expected in error_of(response, 400), data
    assert await ok(client, "POST", f"{POLICIES}/count", tenant) == {"count": 0}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": "P"}, "name: not a field of this request"),
        ({"data": "P"}, "data: send the object"),
        ({"data": {"name": "P"}, "miscDataProps": {"x": 1}}, "miscDataProps"),
        ([{"data": {"name": "P"}}], "request body must be a JSON object"),
    ],
)
async def test_a_create_body_must_be_data(
    client: httpx.AsyncClient, tenant: Tenant, body: Any, expected: str
) -> None:
    assert expected in error_of(await send(client, "POST", POLICIES, tenant, body), 400)


BAD_LISTS: list[tuple[dict[str, Any], dict[str, Any] | None, str]] = [
    ({"query": {"colour": "red"}}, None, "query.colour: 'colour' is not a column"),
    ({"query": {"name": {"_type": "search", "value": "x"}}}, None, "query.name._type"),
    ({"query": {"name": {"_type": "Search"}}}, None, "query.name.value: required"),
    ({"query": {"name": {"_type": "Search", "value": 3}}}, None, "takes a string"),
    ({"query": {"isEnabled": "yes"}}, None, "query.isEnabled"),
    ({"query": {"isEnabled": {"_type": "Search", "value": "t"}}}, None, "does not apply"),
    ({"query": {"labels": "billing"}}, None, "query.labels: labels is a relation"),
    ({"query": {"name": {"_type": "InBetween", "startValue": "a"}}}, None, "endValue"),
    ({"query": {"createdAt": {"_type": "GreaterThan", "value": "yesterday"}}}, None, "ISO"),
    ({"query": {"_id": "not-a-uuid"}}, None, "query._id"),
    ({"query": ["name"]}, None, "query: must be a JSON object"),
    ({"select": {"colour": True}}, None, "select.colour"),
    ({"select": {"name": {"x": True}}}, None, "select.name"),
    ({"select": {"labels": {"colour": True}}}, None, "select.labels.colour"),
    ({"select": {"name": 1}}, None, "select.name"),
    ({"sort": {"name": "descending"}}, None, "sort.name"),
    ({"sort": {"name": "Desc"}}, None, "sort.name"),
    ({"sort": {"labels": "ASC"}}, None, "sort.labels"),
    ({"groupBy": {"name": True}}, None, "groupBy"),
    ({"limits": 5}, None, "limits: not a list request field"),
    ({}, {"limit": 101}, "limit: must be between 1 and 100"),
    ({}, {"limit": 0}, "limit"),
    ({}, {"limit": "ten"}, "limit"),
    ({}, {"skip": -1}, "skip"),
    ({"limit": 500}, None, "limit"),
]


async def test_bad_list_requests_are_400_naming_the_part(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for body, params, expected in BAD_LISTS:
        response = await send(client, "POST", f"{POLICIES}/get-list", tenant, body, params)
        assert expected in error_of(response, 400), body


async def test_updates_refuse_what_cannot_change_and_accept_what_was_read(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create_policy(client, tenant, name="Line")
    url = f"{POLICIES}/{created['_id']}"
    for data, expected in (
        ({}, "nothing to update"),
        ({"projectId": str(tenant.project_id)}, "not allowed to update on projectId"),
        ({"slug": "x"}, "not allowed to update on slug"),
        ({"name": None}, "name: cannot be null"),
        ({"repeatPolicyIfNoOneAnswersTimes": None}, "cannot be null"),
        ({"nickname": "x"}, "nickname: unknown field"),
    ):
        response = await send(client, "PUT", url, tenant, {"data": data})
        assert expected in error_of(response, 400), data
    # A client that sends back what it read (id and timestamps included) is fine, as in
    # OneUptime, which drops those three.
    read = await get_item(client, tenant, POLICIES, created["_id"], {"name": True})
    read.update(name="Renamed", createdAt=created["createdAt"], updatedAt=created["updatedAt"])
    assert await ok(client, "PUT", url, tenant, {"data": read}) == {}
    assert (await get_item(client, tenant, POLICIES, created["_id"]))["name"] == "Renamed"


async def test_another_projects_ids_are_404_and_change_nothing(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ann = await factories.member(client, tenant)
    mine = await create_policy(client, tenant, name="Mine", description="kept")
    rule = await create_rule(client, tenant, incomingCallPolicyId=mine["_id"], userId=ann["id"])
    before = await get_item(client, tenant, POLICIES, mine["_id"])
    rule_before = await get_item(client, tenant, RULES, rule["_id"])
    for path, item_id in ((POLICIES, mine["_id"]), (RULES, rule["_id"])):
        url = f"{path}/{item_id}"
        for method, suffix, body in (
            ("POST", "/get-item", None),
            ("GET", "/get-item", None),
            ("PUT", "", {"data": {"name": "hijacked"}}),
            ("POST", "/update-item", {"data": {"name": "hijacked"}}),
            ("GET", "/update-item", {"data": {"name": "hijacked"}}),
            ("DELETE", "", None),
            ("POST", "/delete-item", None),
            ("GET", "/delete-item", None),
        ):
            response = await send(client, method, url + suffix, other_tenant, body)
            assert "not found" in error_of(response, 404), (method, url + suffix)
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = await send(client, "POST", f"{POLICIES}/{bad}/get-item", tenant)
        assert "not found" in error_of(response, 404)
    theirs = await ok(client, "POST", f"{POLICIES}/get-list", other_tenant)
    assert theirs["count"] == 0
    assert await get_item(client, tenant, POLICIES, mine["_id"]) == before
    assert await get_item(client, tenant, RULES, rule["_id"]) == rule_before


async def test_unknown_routes_and_methods_answer_like_express(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create_policy(client, tenant)
    for method, path in (
        ("PATCH", f"{POLICIES}/{created['_id']}"),
        ("GET", f"{POLICIES}/count"),
        ("POST", f"{POLICIES}/{created['_id']}/nothing"),
    ):
        response = await send(client, method, path, tenant)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"message": f"Page not found - {method} {path}"}


async def test_a_model_callroute_does_not_serve_answers_like_express(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """The reference's list example (POST /api/incoming-call-policy/get-list?skip=0&limit=10)
    sent to models of OneUptime's API that callroute does not serve: OneUptime's catch-all 404,
    not the native error shape. The other APIs under /api keep their own shapes."""
    example = {
        "select": {"isEnabled": True, "name": True, "projectId": True},
        "query": {"name": "Example name"},
        "sort": {"createdAt": -1},
    }
    paging = {"skip": 0, "limit": 10}
    for method, path in (
        ("POST", "/api/label/get-list"),
        ("GET", "/api/label/get-list"),
        ("POST", "/api/monitor/count"),
        ("DELETE", "/api/status-page/01a22bb4-0f01-7894-af2b-42249968c31a"),
        ("POST", "/api/v2/monitor"),
        ("GET", "/api"),
    ):
        body = example if method == "POST" else None
        response = await send(client, method, path, tenant, body, paging)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == {"message": f"Page not found - {method} {path}"}

    native = await client.post("/api/v1/label/get-list", json=example, headers=tenant.headers)
    assert native.status_code == 404
    assert native.json()["error"]["code"] == "not_found"
    voicelink = await client.post("/api/v2/voicelink/label", json=example, headers=tenant.headers)
    assert voicelink.status_code == 404
    assert voicelink.json()["success"] is False
    elsewhere = await client.post("/apis/label/get-list", json=example, headers=tenant.headers)
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"]["code"] == "not_found"  # not under /api: the native shape


async def test_without_a_valid_key_the_answer_is_401_from_the_middleware(
    client: httpx.AsyncClient,
) -> None:
    for key_headers in ({}, {"ApiKey": "not-a-key"}, {"ApiKey": "crk_Ab12Cd34_" + "x" * 40}):
        response = await client.post(f"{POLICIES}/get-list", headers=key_headers)
        assert response.status_code == 401
        body = response.json()
        assert set(body) == {"message"}
        assert body["message"]


async def test_a_read_only_key_reads_and_is_refused_writes_with_422(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ann = await factories.member(client, tenant)
    policy = await create_policy(client, tenant, name="Line")
    rule = await create_rule(client, tenant, incomingCallPolicyId=policy["_id"], userId=ann["id"])
    viewer = await make_key(ctx, tenant, role=Role.VIEWER)
    reader = await make_key(ctx, tenant, permissions=["routers:read", "escalation_policies:read"])
    for key in (viewer, reader):
        assert (await ok(client, "POST", f"{POLICIES}/get-list", key))["count"] == 1
        assert (await ok(client, "GET", f"{RULES}/get-list", key))["count"] == 1
        assert (await ok(client, "POST", f"{POLICIES}/count", key)) == {"count": 1}
        await ok(client, "GET", f"{POLICIES}/{policy['_id']}/get-item", key)
        writes = [
            ("POST", POLICIES, {"data": {"name": "New"}}, "create Incoming Call Policy"),
            ("PUT", f"{POLICIES}/{policy['_id']}", {"data": {"name": "X"}}, "update Incoming"),
            ("GET", f"{POLICIES}/{policy['_id']}/update-item", {"data": {"name": "X"}}, "update"),
            ("DELETE", f"{POLICIES}/{policy['_id']}", None, "delete Incoming Call Policy"),
            ("POST", RULES, {"data": {"userId": ann["id"]}}, "create Incoming Call Policy Esc"),
            ("POST", f"{RULES}/{rule['_id']}/delete-item", None, "delete Incoming Call Policy"),
        ]
        for method, path, body, expected in writes:
            message = error_of(await send(client, method, path, key, body), 422)
            assert message.startswith("You do not have permissions to "), message
            assert expected in message
            assert "Project Owner, Project Admin, Project Member" in message
    assert (await ok(client, "POST", f"{POLICIES}/count", tenant)) == {"count": 1}
    assert (await ok(client, "POST", f"{RULES}/count", tenant)) == {"count": 1}


async def test_oneuptimes_per_resource_permissions_map_to_callroutes(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    # "Create Incoming Call Policy" is routers:write plus escalation_policies:write (a policy
    # holds its rules in an escalation policy); routers:write alone is not enough.
    routers_only = await make_key(ctx, tenant, permissions=["routers:write"])
    refused = await send(client, "POST", POLICIES, routers_only, {"data": {"name": "P"}})
    assert "'escalation_policies:write'" in error_of(refused, 422)
    both = await make_key(ctx, tenant, permissions=["routers:write", "escalation_policies:write"])
    await ok(client, "POST", POLICIES, both, {"data": {"name": "P"}})
    calls_only = await make_key(ctx, tenant, permissions=["calls:read"])
    assert (await ok(client, "POST", f"{LOGS}/get-list", calls_only))["count"] == 0
    no_read = await send(client, "POST", f"{POLICIES}/get-list", calls_only)
    assert "read Incoming Call Policy" in error_of(no_read, 422)
    assert "Read All Project Resources" in error_of(no_read, 422)


async def test_call_logs_are_read_only_even_for_an_owner(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    some_id = "01a22bb4-0f01-7894-af2b-42249968c31a"
    for method, path in (
        ("POST", LOGS),
        ("PUT", f"{LOGS}/{some_id}"),
        ("POST", f"{LOGS}-item/{some_id}/delete-item"),
    ):
        response = await send(client, method, path, tenant, {"data": {}})
        assert response.status_code == 404
        assert response.json() == {"message": f"Page not found - {method} {path}"}
    not_queryable = await send(
        client,
        "POST",
        f"{LOGS}/get-list",
        tenant,
        {"query": {"callDurationInSeconds": {"_type": "GreaterThan", "value": 5}}},
    )
    assert "cannot be filtered or sorted on" in error_of(not_queryable, 400)


async def test_an_oversized_body_is_413_in_oneuptimes_shape(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    big = {"data": {"name": "P", "description": "x" * (ctx.settings.max_body_bytes + 10)}}
    response = await send(client, "POST", POLICIES, tenant, big)
    assert "larger than" in error_of(response, 413)
