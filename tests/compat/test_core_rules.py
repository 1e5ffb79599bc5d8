"""Each compatibility layer answers a core rule in its own shape, with its own field names, and
keeps no copy of the rule: the rule is driven here through the native API (a number another
router routes, one another project holds, a provider id another logged call has), and the
layer's answer is what its renderer makes of the core's error.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from callroute.app_context import AppContext
from tests import factories
from tests.compat import rootly_support as rs
from tests.compat import voicelink_setup as vl
from tests.compat.oneuptime_support import (
    POLICIES,
    RULES,
    create_policy,
    create_rule,
    error_of,
    send,
)
from tests.compat.test_vcita import BASE as VOICE_CALLS
from tests.compat.test_vcita import business
from tests.conftest import Tenant, make_key

JSON = dict[str, object]
SOURCE = Path(__file__).resolve().parents[2] / "src" / "callroute"


async def routed_number(client: httpx.AsyncClient, tenant: Tenant) -> tuple[str, str]:
    """A number of the project that a native router routes: (the number, the router's id)."""
    connection = await factories.post(
        client, tenant, "connections", {"name": "Desk line", "kind": "simulator"}
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    router = await factories.post(
        client,
        tenant,
        "routers",
        {"name": "Desk", "phone_number_ids": [number["id"]], "action": {"type": "voicemail"}},
    )
    return number["number"], router["id"]


async def held_number(client: httpx.AsyncClient, tenant: Tenant) -> str:
    """A number the project holds, routed by nobody."""
    connection = await factories.post(
        client, tenant, "connections", {"name": "Spare line", "kind": "simulator"}
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    found: str = number["number"]
    return found


# -- Rootly ------------------------------------------------------------------------------------


async def test_rootly_answers_the_number_rules_as_jsonapi_errors_on_its_attribute(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    number, router_id = await routed_number(client, tenant)
    routed = await client.post(
        rs.BASE,
        json=rs.document(rs.minimal(d, phone_number=number)),
        headers=rs.headers(tenant),
    )
    assert rs.errors(routed, 409) == [
        {
            "title": "Conflict",
            "status": "409",
            "code": "conflict",
            "detail": f"data.attributes.phone_number: {number} is already routed by router "
            f"{router_id}",
        }
    ]
    # Another project's number: said before the permission to claim one is asked for.
    theirs = await held_number(client, other_tenant)
    no_claims = await make_key(ctx, tenant, permissions=["routers:read", "routers:write"])
    held = await client.post(
        rs.BASE,
        json=rs.document(rs.minimal(d, phone_number=theirs)),
        headers=rs.headers(no_claims),
    )
    assert rs.errors(held, 409)[0]["detail"] == (
        f"data.attributes.phone_number: {theirs} is already in use"
    )
    listed = await client.get(rs.BASE, headers=rs.headers(tenant))
    assert [r["attributes"]["name"] for r in listed.json()["data"]] == ["Desk"]  # no new router


# -- OneUptime ---------------------------------------------------------------------------------


async def test_oneuptime_answers_the_number_rules_with_its_column_name(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    number, router_id = await routed_number(client, tenant)
    expected = f"routingPhoneNumber: {number} is already routed by router {router_id}"
    created = await send(
        client, "POST", POLICIES, tenant, {"data": {"name": "Two", "routingPhoneNumber": number}}
    )
    assert error_of(created, 400) == expected
    policy = await send(client, "POST", POLICIES, tenant, {"data": {"name": "Three"}})
    assert policy.status_code == 200, policy.text
    updated = await send(
        client,
        "PUT",
        f"{POLICIES}/{policy.json()['_id']}",
        tenant,
        {"data": {"routingPhoneNumber": number}},
    )
    assert error_of(updated, 400) == expected
    # Another project's number, with no connection to claim it through: in use, first.
    theirs = await held_number(client, other_tenant)
    held = await send(
        client, "POST", POLICIES, tenant, {"data": {"name": "Four", "routingPhoneNumber": theirs}}
    )
    assert error_of(held, 400) == f"routingPhoneNumber: {theirs} is already in use"


async def test_oneuptime_answers_the_level_rules_with_its_column_names(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ann = await factories.member(client, tenant, "Ann", "+14155550101")
    zed = await factories.member(client, other_tenant, "Zed", "+14155550199")
    theirs = {
        "userId": ("member", zed["id"]),
        "teamId": (
            "team",
            (await factories.post(client, other_tenant, "teams", {"name": "Ops"}))["id"],
        ),
        "onCallDutyPolicyScheduleId": (
            "schedule",
            (await factories.schedule(client, other_tenant, [zed["id"]]))["id"],
        ),
    }
    policy = await create_policy(client, tenant)
    router = await client.get(f"/api/v1/routers/{policy['_id']}", headers=tenant.headers)
    levels_url = f"/api/v1/escalation-policies/{router.json()['action']['target']['id']}"

    # Another project's member, team or schedule: the native words, on the rule's column.
    native = await client.patch(
        levels_url,
        json={"levels": [{"targets": [{"type": "member", "id": zed["id"]}]}]},
        headers=tenant.headers,
    )
    assert native.status_code == 422, native.text
    assert native.json()["error"]["message"] == (
        f"levels[0].targets[0].id: no member {zed['id']} in this project"
    )
    rule = await create_rule(client, tenant, incomingCallPolicyId=policy["_id"], userId=ann["id"])
    for column, (kind, their_id) in theirs.items():
        expected = f"{column}: no {kind} {their_id} in this project"
        created = await send(
            client,
            "POST",
            RULES,
            tenant,
            {"data": {"incomingCallPolicyId": policy["_id"], column: their_id}},
        )
        assert error_of(created, 400) == expected
        updated = await send(
            client, "PUT", f"{RULES}/{rule['_id']}", tenant, {"data": {column: their_id}}
        )
        assert error_of(updated, 400) == expected

    # The level limit: a policy the native API filled takes no rule more.
    full = [{"targets": [{"type": "member", "id": ann["id"]}]}] * 20
    filled = await client.patch(levels_url, json={"levels": full}, headers=tenant.headers)
    assert filled.status_code == 200, filled.text
    extra = await send(
        client,
        "POST",
        RULES,
        tenant,
        {"data": {"incomingCallPolicyId": policy["_id"], "userId": ann["id"]}},
    )
    assert error_of(extra, 400) == "incomingCallPolicyId: a policy has at most 20 levels"
    assert len((await client.get(levels_url, headers=tenant.headers)).json()["levels"]) == 20


# -- VoiceLink ---------------------------------------------------------------------------------


async def test_voicelink_answers_a_routed_did_in_its_envelope_naming_the_did_field(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant
) -> None:
    p = await vl.partner(client, ctx, tenant)
    router = await factories.post(
        client,
        tenant,
        "routers",
        {"name": "Desk", "phone_number_ids": [p.did["id"]], "action": {"type": "voicemail"}},
    )
    message = f"{p.did['number']} is already routed by router {router['id']}"
    by_id = await client.post(vl.URL, json=vl.example_request(), headers=p.headers)
    assert by_id.status_code == 409, by_id.text
    assert by_id.json() == {
        "success": False,
        "error": {"code": "CONFLICT", "message": f"did_id: {message}", "field": "did_id"},
    }
    body = {**vl.example_request(), "did_number": p.did["number"]}
    del body["did_id"]
    by_number = await client.post(vl.URL, json=body, headers=p.headers)
    assert by_number.status_code == 409, by_number.text
    assert by_number.json()["error"] == {
        "code": "CONFLICT",
        "message": f"did_number: {message}",
        "field": "did_number",
    }


# -- vcita -------------------------------------------------------------------------------------


async def test_vcita_answers_a_repeated_provider_id_in_its_shape_naming_external_uuid(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    logged = await client.post(
        "/api/v1/calls",
        json={
            "direction": "inbound",
            "from": "+14155550148",
            "to": "+14155550901",
            "status": "missed",
            "provider": "vonage",
            "provider_call_id": "ext-call-001",
        },
        headers=tenant.headers,
    )
    assert logged.status_code == 201, logged.text
    call_id = logged.json()["id"]
    message = f"external_uuid call {call_id} already has the vonage id 'ext-call-001'"
    again = await client.post(VOICE_CALLS, json=biz.body(), headers=biz.headers)  # the example
    assert again.status_code == 409, again.text
    assert again.json() == {
        "success": False,
        "status": "Error",
        "error": message,
        "error_code": "CONFLICT",
        "errors": {"external_uuid": [message]},
    }


# -- no copies ---------------------------------------------------------------------------------

# Each rule's words, and the core module that says them; the words of the copies the layers
# used to keep follow.
CORE_RULES = {
    "} is already in use": "numbers/service.py",
    "a policy has at most {MAX_LEVELS} levels": "escalation_policies/service.py",
    # Every "the project's own X" check, escalation targets included.
    "no {noun} {ref} in this project": "validation.py",
    "} is already routed by router": "routers/service.py",
    "} already has the {call.provider} id": "calls/service.py",
}
FORMER_COPIES = (
    "already routes calls to",
    "one policy per number",
    "already has routing",
    "is routed by another routing",
    "already names voice call",
    "at most {MAX_LEVELS} escalation rules",
    "no {noun} {target_id} in this project",
    '"schedule": "on-call schedule"',
)
# Levels and their targets are built by the core's policy service alone: the layers add, change,
# move and remove them through its entry points.
LEVEL_ROWS = re.compile(r"(?<!class )Escalation(Level|Target)\(")


def test_the_rules_are_worded_only_in_the_core() -> None:
    sources = {
        path.relative_to(SOURCE).as_posix(): path.read_text() for path in SOURCE.rglob("*.py")
    }
    for words, module in CORE_RULES.items():
        assert [name for name, text in sources.items() if words in text] == [module], words
    for words in FORMER_COPIES:
        assert [name for name, text in sources.items() if words in text] == [], words
    assert not [
        name
        for name, text in sources.items()
        if name.startswith("compat/") and ("already in use" in text or "already routed" in text)
    ]
    # The layers neither count levels nor build them.
    assert not [
        name
        for name, text in sources.items()
        if name.startswith("compat/") and "MAX_LEVELS" in text
    ]
    assert [name for name, text in sources.items() if LEVEL_ROWS.search(text)] == [
        "escalation_policies/service.py"
    ]
