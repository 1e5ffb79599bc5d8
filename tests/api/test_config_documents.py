"""Configuration as code on both databases: a document with every kind applied, exported,
applied again; plans field by field; prune; every problem at once; a failure part-way;
tenancy and permissions."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from tests import factories
from tests.conftest import Tenant, make_key

API = "/api/v1/config"
JSON = dict[str, Any]


async def numbered(client: httpx.AsyncClient, tenant: Tenant) -> str:
    """A simulator connection named Simulator with one number; the number."""
    connection = await factories.post(
        client, tenant, "connections", {"name": "Simulator", "kind": "simulator"}
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    return str(number["number"])


def every_kind(number: str) -> JSON:
    return {
        "version": 1,
        "urgencies": [{"name": "Critical", "description": "Page now", "position": 0}],
        "members": [
            {
                "name": "Ann",
                "email": "ann@example.com",
                "role": "admin",
                "phones": [{"number": "+14155550101"}],
            },
            {
                "name": "Bob",
                "phones": [{"number": "+14155550102", "label": "work"}],
                "time_zone": "Europe/London",
            },
        ],
        "contacts": [
            {"name": "Big Customer", "phones": [{"number": "+442071838750"}], "labels": ["vip"]}
        ],
        "sip_trunks": [{"name": "PBX", "uri": "sip:support@pbx.example.com"}],
        "bots": [{"name": "Helper", "websocket_url": "wss://bot.example.com/ws"}],
        "teams": [
            {
                "name": "Platform",
                "members": ["Ann", "Bob"],
                "default_escalation_policy": "Platform escalation",
            }
        ],
        "schedules": [
            {
                "name": "Platform on-call",
                "time_zone": "Europe/London",
                "layers": [
                    {
                        "start": "2026-01-05T09:00:00+00:00",
                        "rotation_length": 1,
                        "rotation_unit": "weeks",
                        "handoff_time": "09:00",
                        "members": ["Ann", "Bob"],
                        "restrictions": [
                            {"kind": "daily", "start_time": "08:00", "duration_minutes": 720}
                        ],
                    }
                ],
                "overrides": [
                    {
                        "member": "Bob",
                        "start": "2026-02-01T00:00:00Z",
                        "end": "2026-02-02T00:00:00Z",
                    }
                ],
            }
        ],
        "escalation_policies": [
            {
                "name": "Platform escalation",
                "repeat_count": 1,
                "levels": [
                    {
                        "targets": [{"type": "schedule", "name": "Platform on-call"}],
                        "ring_timeout_seconds": 20,
                    },
                    {"targets": [{"type": "team", "name": "Platform"}], "strategy": "simultaneous"},
                ],
            }
        ],
        "services": [{"name": "API", "escalation_policy": "Platform escalation"}],
        "routers": [
            {
                "name": "Main hotline",
                "connection": "Simulator",
                "numbers": [number],
                "labels": ["support"],
                "greeting": {"text": "Thanks for calling."},
                "menu": {
                    "prompt": {"text": "Press 1 for on-call, 2 for the PBX, 3 for the bot."},
                    "options": [
                        {
                            "digit": "1",
                            "action": {
                                "type": "ring",
                                "urgency": "Critical",
                                "target": {
                                    "type": "escalation_policy",
                                    "name": "Platform escalation",
                                },
                            },
                        },
                        {"digit": "2", "action": {"type": "sip", "sip_trunk": "PBX"}},
                        {"digit": "3", "action": {"type": "bot", "bot": "Helper"}},
                        {
                            "digit": "4",
                            "action": {
                                "type": "voicemail",
                                "target": {"type": "service", "name": "API"},
                            },
                        },
                    ],
                },
                "alert": {"urgency": "High"},
            }
        ],
        "webhook_subscriptions": [
            {"url": "https://hooks.example.com/callroute", "events": ["call.ended"]}
        ],
    }


async def apply(
    client: httpx.AsyncClient, tenant: Tenant, document: JSON, **options: bool
) -> httpx.Response:
    return await client.post(
        f"{API}/apply", json={"document": document, **options}, headers=tenant.headers
    )


async def applied(
    client: httpx.AsyncClient, tenant: Tenant, document: JSON, **options: bool
) -> JSON:
    response = await apply(client, tenant, document, **options)
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    return body


async def exported(client: httpx.AsyncClient, tenant: Tenant) -> JSON:
    response = await client.get(f"{API}/export", headers=tenant.headers)
    assert response.status_code == 200, response.text
    document: JSON = response.json()["document"]
    return document


def named(changes: list[JSON]) -> set[tuple[str, str, str]]:
    return {(c["action"], c["kind"], c["name"]) for c in changes}


async def test_a_document_of_every_kind_round_trips_and_applies_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    document = every_kind(await numbered(client, tenant))
    first = await applied(client, tenant, document)
    assert first["applied"] is True
    assert {c["action"] for c in first["changes"]} == {"create"}
    assert len(first["changes"]) == 12
    again = await applied(client, tenant, document)
    assert again["changes"] == []
    export = await exported(client, tenant)
    assert export["routers"][0]["menu"]["options"][1]["action"] == {
        "type": "sip",
        "sip_trunk": "PBX",
    }
    assert export["teams"][0]["default_escalation_policy"] == "Platform escalation"
    assert "secret" not in str(export)
    assert "password" not in str(export)
    for kind in ("members", "teams", "services", "sip_trunks", "bots", "contacts"):
        assert [o["name"] for o in export[kind]] == sorted(o["name"] for o in document[kind])
    assert (await applied(client, tenant, export))["changes"] == []
    # The export says each choice once: defaults are left out.
    assert "ring_timeout_seconds" not in export["routers"][0]["menu"]["options"][0]["action"]


async def test_a_change_of_one_field_is_planned_as_that_field_and_applied(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    document = every_kind(await numbered(client, tenant))
    await applied(client, tenant, document)
    edited = copy.deepcopy(document)
    edited["routers"][0]["greeting"]["text"] = "Hello."
    plan = await applied(client, tenant, edited, dry_run=True)
    assert plan == {
        "changes": [
            {
                "action": "change",
                "kind": "routers",
                "name": "Main hotline",
                "fields": [
                    {"field": "greeting.text", "from": "Thanks for calling.", "to": "Hello."}
                ],
            }
        ],
        "undeclared": [],
        "applied": False,
    }
    assert (await applied(client, tenant, edited, dry_run=True))["changes"] != []  # not applied
    assert (await applied(client, tenant, edited))["applied"] is True
    assert (await applied(client, tenant, edited))["changes"] == []
    routers = (await client.get("/api/v1/routers", headers=tenant.headers)).json()["data"]
    assert routers[0]["greeting"]["text"] == "Hello."


async def test_prune_deletes_exactly_what_was_dropped_and_lists_it_otherwise(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    document = every_kind(await numbered(client, tenant))
    await applied(client, tenant, document)
    dropped = copy.deepcopy(document)
    dropped["contacts"] = []
    dropped["webhook_subscriptions"] = []
    del dropped["bots"]  # a kind left out is never pruned...
    dropped["routers"][0]["menu"]["options"].pop(2)  # ...though the router stops using it
    kept = await applied(client, tenant, dropped)
    assert named(kept["changes"]) == {("change", "routers", "Main hotline")}
    assert {(u["kind"], u["name"]) for u in kept["undeclared"]} == {
        ("contacts", "Big Customer"),
        ("bots", "Helper"),
        ("webhook_subscriptions", "https://hooks.example.com/callroute"),
    }
    pruned = await applied(client, tenant, dropped, prune=True)
    assert pruned["changes"] == [
        {
            "action": "delete",
            "kind": "webhook_subscriptions",
            "fields": [],
            "name": "https://hooks.example.com/callroute",
        },
        {"action": "delete", "kind": "contacts", "name": "Big Customer", "fields": []},
    ]
    assert pruned["undeclared"] == [{"kind": "bots", "name": "Helper"}]
    export = await exported(client, tenant)
    assert "contacts" not in export
    assert "webhook_subscriptions" not in export
    assert [b["name"] for b in export["bots"]] == ["Helper"]
    assert (await applied(client, tenant, dropped, prune=True))["changes"] == []


async def test_pruning_what_is_still_referenced_is_the_api_s_409(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await applied(client, tenant, every_kind(await numbered(client, tenant)))
    response = await apply(client, tenant, {"version": 1, "schedules": []}, prune=True)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"].startswith("schedules 'Platform on-call': ")
    assert "'Platform escalation'" in error["message"]
    assert len((await exported(client, tenant))["schedules"]) == 1


async def test_five_mistakes_are_answered_at_once_at_their_paths_and_change_nothing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    document = every_kind(await numbered(client, tenant))
    before = await exported(client, tenant)
    document["members"][1]["phones"][0]["number"] = "12"
    document["bots"][0]["colour"] = "blue"
    document["teams"].append({"name": "Platform"})
    options = document["routers"][0]["menu"]["options"]
    options[0]["action"]["target"]["name"] = "platfrom"
    document["routers"][0]["numbers"] = ["+14155550999"]
    response = await apply(client, tenant, document)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "5 problems in the document"
    problems = {p["path"]: p["message"] for p in error["details"]["problems"]}
    assert set(problems) == {
        "members[1].phones[0].number",
        "bots[0].colour",
        "teams[1].name",
        "routers[0].menu.options[0].action.target",
        "routers[0].numbers[0]",
    }
    assert problems["routers[0].menu.options[0].action.target"] == (
        "no escalation policy named 'platfrom'"
    )
    assert problems["bots[0].colour"] == "unknown field"
    assert "declared twice" in problems["teams[1].name"]
    assert await exported(client, tenant) == before


async def test_an_apply_refused_at_the_end_leaves_the_database_unchanged(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    document = every_kind(await numbered(client, tenant))
    del document["webhook_subscriptions"]
    # Only the router service knows that these two names give the same slug.
    twin = copy.deepcopy(document["routers"][0])
    twin.update(name="Main hotline!", numbers=[])
    document["routers"].append(twin)
    before = await exported(client, tenant)
    response = await apply(client, tenant, document)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["field"] == "routers[1].name"
    assert "main-hotline" in error["message"]
    assert await exported(client, tenant) == before
    members = (await client.get("/api/v1/members", headers=tenant.headers)).json()
    assert members["data"] == []


async def test_another_project_s_objects_are_never_seen_nor_touched(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await applied(client, other_tenant, every_kind(await numbered(client, other_tenant)))
    theirs = await exported(client, other_tenant)
    assert await exported(client, tenant) == {"version": 1}
    mine: JSON = {
        "version": 1,
        "members": [{"name": "Cleo"}],
        "teams": [{"name": "Ops", "members": ["Ann"]}],
        "routers": [],
    }
    response = await apply(client, tenant, mine, prune=True)
    assert response.status_code == 422
    [problem] = response.json()["error"]["details"]["problems"]
    assert problem == {"path": "teams[0].members[0]", "message": "no member named 'Ann'"}
    mine["teams"][0]["members"] = ["Cleo"]
    plan = await applied(client, tenant, mine, prune=True)
    assert named(plan["changes"]) == {("create", "members", "Cleo"), ("create", "teams", "Ops")}
    assert plan["undeclared"] == []
    assert await exported(client, other_tenant) == theirs


async def test_export_takes_a_read_key_and_apply_a_write_key(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    for role in (Role.VIEWER, Role.MEMBER):
        key = await make_key(ctx, tenant, role=role)
        headers = {"Authorization": f"Bearer {key}"}
        for options in ({}, {"dry_run": True}):
            body = {"document": {"version": 1}, **options}
            response = await client.post(f"{API}/apply", json=body, headers=headers)
            assert response.status_code == 403, response.text
            assert "write permission" in response.json()["error"]["message"]
        assert (await client.get(f"{API}/export", headers=headers)).status_code == 200
    admin = await make_key(ctx, tenant, role=Role.ADMIN)
    response = await client.post(
        f"{API}/apply",
        json={"document": {"version": 1}, "dry_run": True},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert response.json() == {"changes": [], "undeclared": [], "applied": False}
    assert (await client.get(f"{API}/export")).status_code == 401


async def test_the_schema_is_public_and_describes_every_kind(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/schema")
    assert response.status_code == 200
    schema = response.json()
    assert schema["$id"] == "/api/v1/config/schema"
    assert schema["required"] == ["version"]
    assert {"routers", "members", "webhook_subscriptions"} <= set(schema["properties"])
    assert "never" in schema["description"]
