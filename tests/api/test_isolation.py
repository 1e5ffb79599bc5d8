"""Tenancy: a key of project B never reads, changes or counts project A's rows.

The routes are discovered from the app, so an endpoint added later without an entry here makes
this test fail until its isolation is covered.
"""

from __future__ import annotations

import re

import httpx

from callroute.app import create_app
from callroute.app_context import AppContext
from tests import callsetup, factories
from tests.compat import oneuptime_support
from tests.conftest import Tenant

# A body that would be accepted if the ids belonged to the caller, per method and route.
BODIES: dict[tuple[str, str], dict[str, object] | str | None] = {
    ("GET", "/api/v1/members/{member_id}"): None,
    ("PATCH", "/api/v1/members/{member_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/members/{member_id}"): None,
    ("GET", "/api/v1/members/{member_id}/shifts.ics"): None,
    ("GET", "/api/v1/api-keys/{key_id}"): None,
    ("DELETE", "/api/v1/api-keys/{key_id}"): None,
    ("GET", "/api/v1/teams/{team_id}"): None,
    ("PATCH", "/api/v1/teams/{team_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/teams/{team_id}"): None,
    ("GET", "/api/v1/schedules/{schedule_id}"): None,
    ("PATCH", "/api/v1/schedules/{schedule_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/schedules/{schedule_id}"): None,
    ("GET", "/api/v1/schedules/{schedule_id}/on-call"): None,
    ("GET", "/api/v1/schedules/{schedule_id}/shifts"): None,
    ("GET", "/api/v1/schedules/{schedule_id}/shifts.ics"): None,
    ("GET", "/api/v1/schedules/{schedule_id}/overrides"): None,
    ("POST", "/api/v1/schedules/{schedule_id}/overrides"): "OVERRIDE",
    ("DELETE", "/api/v1/schedules/{schedule_id}/overrides/{override_id}"): None,
    ("GET", "/api/v1/escalation-policies/{policy_id}"): None,
    ("PATCH", "/api/v1/escalation-policies/{policy_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/escalation-policies/{policy_id}"): None,
    ("GET", "/api/v1/escalation-policies/{policy_id}/on-call"): None,
    ("GET", "/api/v1/services/{service_id}"): None,
    ("PATCH", "/api/v1/services/{service_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/services/{service_id}"): None,
    ("GET", "/api/v1/urgencies/{urgency_id}"): None,
    ("PATCH", "/api/v1/urgencies/{urgency_id}"): {"description": "hijacked"},
    ("DELETE", "/api/v1/urgencies/{urgency_id}"): None,
    ("GET", "/api/v1/contacts/{contact_id}"): None,
    ("PATCH", "/api/v1/contacts/{contact_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/contacts/{contact_id}"): None,
    ("GET", "/api/v1/connections/{connection_id}"): None,
    ("PATCH", "/api/v1/connections/{connection_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/connections/{connection_id}"): None,
    ("POST", "/api/v1/connections/{connection_id}/test"): None,
    ("GET", "/api/v1/numbers/{number_id}"): None,
    ("PATCH", "/api/v1/numbers/{number_id}"): {"label": "hijacked"},
    ("DELETE", "/api/v1/numbers/{number_id}"): None,
    ("GET", "/api/v1/sip-trunks/{trunk_id}"): None,
    ("PATCH", "/api/v1/sip-trunks/{trunk_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/sip-trunks/{trunk_id}"): None,
    ("GET", "/api/v1/bots/{bot_id}"): None,
    ("PATCH", "/api/v1/bots/{bot_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/bots/{bot_id}"): None,
    ("GET", "/api/v1/routers/{router_id}"): None,
    ("PATCH", "/api/v1/routers/{router_id}"): {"name": "hijacked"},
    ("DELETE", "/api/v1/routers/{router_id}"): None,
    ("GET", "/api/v1/calls/{call_id}"): None,
    ("PATCH", "/api/v1/calls/{call_id}"): {"summary": "hijacked"},
    ("GET", "/api/v1/calls/{call_id}/events"): None,
    ("GET", "/api/v1/calls/{call_id}/recordings/{recording_id}/audio"): None,
    ("GET", "/api/v1/alerts/{alert_id}"): None,
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): None,
    ("POST", "/api/v1/alerts/{alert_id}/resolve"): None,
    ("GET", "/api/v1/webhooks/{subscription_id}"): None,
    ("PATCH", "/api/v1/webhooks/{subscription_id}"): {"description": "hijacked"},
    ("DELETE", "/api/v1/webhooks/{subscription_id}"): None,
    ("GET", "/api/v1/webhooks/{subscription_id}/deliveries"): None,
    ("POST", "/api/v1/webhooks/{subscription_id}/test"): None,
    ("GET", "/v3/communication/voice_calls/{uid}"): None,
    ("PUT", "/v3/communication/voice_calls/{uid}"): "VOICE_CALL",
    ("GET", "/v3/communication/voice_calls/{uid}/transcript"): None,
    ("GET", "/v1/live_call_routers/{router_id}"): None,
    ("PUT", "/v1/live_call_routers/{router_id}"): {
        "data": {"type": "live_call_routers", "attributes": {"name": "hijacked"}}
    },
    ("DELETE", "/v1/live_call_routers/{router_id}"): None,
    **oneuptime_support.ISOLATION_BODIES,
}
# Path parameters of compatible APIs, as ids of one_of_each.
PATH_IDS = {"uid": "call_id"}
# Routes that belong to no project.
UNSCOPED = ("/healthz", "/readyz", "/metrics")
# Routes addressed by a handle, a number counted per project: another project's "7" names the
# caller's own 7th object, so there is no foreign id to try (tests/compat/test_voicelink.py
# shows another project's routing is unreachable).
PER_PROJECT_HANDLES = {
    ("GET", "/api/v2/voicelink/call-routing/{routing_id}"),
    ("POST", "/api/v2/voicelink/call-routing/{routing_id}"),
}
# Query strings that make the request valid apart from the foreign id.
QUERIES = {
    "/api/v1/schedules/{schedule_id}/shifts": {
        "from": "2026-03-01T00:00:00Z",
        "to": "2026-03-08T00:00:00Z",
    }
}


def _routes(ctx: AppContext) -> list[tuple[str, str]]:
    """Every (method, path) of the native and compatible APIs, as published in the OpenAPI
    document."""
    paths = create_app(ctx=ctx).openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path not in UNSCOPED
        for method in operations
    ]


async def test_every_id_route_answers_404_for_another_projects_id(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, ctx: AppContext
) -> None:
    ids = await factories.one_of_each(client, tenant)
    ids |= await oneuptime_support.ids_of(client, tenant, ids)
    b_ids = await factories.one_of_each(client, other_tenant)
    await callsetup.settle(ctx)  # the calls are carried out: A's leaves a voicemail
    [recording] = (await callsetup.call(client, tenant, ids["call_id"]))["recordings"]
    ids["recording_id"] = recording["id"]
    for name, kind in PATH_IDS.items():
        ids[name], b_ids[name] = ids[kind], b_ids[kind]
    before = {name: await _snapshot(client, tenant, ids) for name in ("before",)}["before"]

    with_ids = [(m, p) for m, p in _routes(ctx) if "{" in p and (m, p) not in PER_PROJECT_HANDLES]
    assert sorted(with_ids) == sorted(BODIES), "cover the isolation of new routes in BODIES"
    for method, path in with_ids:
        body = BODIES[(method, path)]
        if body == "OVERRIDE":
            body = {
                "member_id": b_ids["member_id"],
                "start": "2026-03-05T00:00:00Z",
                "end": "2026-03-06T00:00:00Z",
            }
        if body == "VOICE_CALL":
            body = await _voice_call_echo(client, tenant, ids["call_id"])
        url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        response = await client.request(
            method, url, json=body, params=QUERIES.get(path), headers=other_tenant.headers
        )
        assert response.status_code == 404, (method, path, response.text)
        # B's own ids are fine in B's paths, but A's ids inside B's paths are not.
        if path.count("{") > 1:
            mixed = re.sub(
                r"\{(\w+)\}",
                lambda m: b_ids[m.group(1)] if m.group(1) == "schedule_id" else ids[m.group(1)],
                path,
            )
            response = await client.request(method, mixed, headers=other_tenant.headers)
            assert response.status_code == 404, (method, mixed, response.text)

    assert await _snapshot(client, tenant, ids) == before  # nothing of A's changed


async def test_foreign_ids_inside_bodies_are_rejected(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = await factories.one_of_each(client, tenant)
    h = other_tenant.headers
    cases = [
        ("teams", {"name": "T", "member_ids": [ids["member_id"]]}, "member_ids[0]"),
        (
            "teams",
            {"name": "T", "default_escalation_policy_id": ids["policy_id"]},
            "default_escalation_policy_id",
        ),
        (
            "services",
            {"name": "S", "escalation_policy_id": ids["policy_id"]},
            "escalation_policy_id",
        ),
        (
            "escalation-policies",
            {
                "name": "P",
                "levels": [{"targets": [{"type": "schedule", "id": ids["schedule_id"]}]}],
            },
            "levels[0].targets[0].id",
        ),
        (
            "schedules",
            {
                "name": "S",
                "time_zone": "UTC",
                "layers": [
                    {
                        "start": "2026-01-01T00:00:00Z",
                        "rotation_length": 1,
                        "rotation_unit": "days",
                        "handoff_time": "09:00",
                        "member_ids": [ids["member_id"]],
                    }
                ],
            },
            "layers[0].member_ids[0]",
        ),
    ]
    for path, body, field in cases:
        response = await client.post(f"/api/v1/{path}", json=body, headers=h)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["field"] == field
        assert ids[next(k for k in ids if ids[k] in str(body))] in response.text


async def _voice_call_echo(
    client: httpx.AsyncClient, tenant: Tenant, call_id: str
) -> dict[str, object]:
    """A vcita update that repeats the call as its owner reads it (which the owner may send)."""
    url = f"/v3/communication/voice_calls/{call_id}"
    call = (await client.get(url, headers=tenant.headers)).json()["data"]
    body: dict[str, object] = {
        name: call[name] for name in ("staff_uid", "client_uid", "from_number", "to_number")
    }
    body |= {name: call[name] for name in ("direction", "status", "rate", "price", "duration")}
    body |= {name: call[name] for name in ("source_id", "external_uuid", "call_summary")}
    body |= {name: call[name] for name in ("external_app_url", "external_app_name")}
    own = await client.put(
        url, json=body | {"provider": "VONAGE", "recording_id": None}, headers=tenant.headers
    )
    assert own.status_code == 200, own.text
    return body | {"provider": "VONAGE", "recording_id": None}


async def _snapshot(client: httpx.AsyncClient, tenant: Tenant, ids: dict[str, str]) -> list[object]:
    paths = [
        "members/{member_id}",
        "teams/{team_id}",
        "schedules/{schedule_id}",
        "schedules/{schedule_id}/overrides",
        "escalation-policies/{policy_id}",
        "services/{service_id}",
        "urgencies/{urgency_id}",
        "contacts/{contact_id}",
        "api-keys/{key_id}",
    ]
    snapshot = []
    for path in paths:
        url = "/api/v1/" + re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        response = await client.get(url, headers=tenant.headers)
        assert response.status_code == 200, url
        body = response.json()
        if isinstance(body, dict):
            body.pop("last_used_at", None)
        snapshot.append(body)
    return snapshot


async def test_lists_never_show_or_count_another_projects_rows(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, ctx: AppContext
) -> None:
    a_ids = await factories.one_of_each(client, tenant)
    await factories.member(client, other_tenant, "B0", "+14155550100")
    # Lookups by a value of A's: B finds nothing (404) or is told the id is not its own (422).
    lookups = {
        "/api/v1/contacts/lookup": ({"phone": "+442071838750"}, 404),
        "/api/v1/numbers/available": (
            {"connection_id": a_ids["connection_id"], "country": "US"},
            422,
        ),
        # B has no connection of its own, and A's is never used for B.
        "/v1/live_call_routers/generate_phone_number": (
            {"country_code": "US", "phone_type": "local"},
            422,
        ),
    }

    lists = [p for m, p in _routes(ctx) if m == "GET" and "{" not in p]
    assert lists, "no list routes found"
    for path in lists:
        params, refused = lookups.get(path, (None, 200))
        response = await client.get(path, params=params, headers=other_tenant.headers)
        if path in lookups:
            assert response.status_code == refused, path
            continue
        assert response.status_code == 200, path
        for value in (*a_ids.values(), str(tenant.project_id)):
            assert value not in response.text, path
    members = (await client.get("/api/v1/members", headers=other_tenant.headers)).json()
    assert members["total"] == 1
    by_phone = (
        await client.get(
            "/api/v1/members", params={"phone": "+14155550101"}, headers=other_tenant.headers
        )
    ).json()
    assert by_phone == {"data": [], "total": 0, "next_cursor": None}
    urgencies = (await client.get("/api/v1/urgencies", headers=other_tenant.headers)).json()
    assert urgencies["total"] == 3
