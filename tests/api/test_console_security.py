"""Every page of the console at once, on both databases, so a page added later cannot forget
the rules: anonymous requests go to sign in; every form needs the session's CSRF token; a
viewer reaches no form that changes anything; a member of another project finds none of this
project's calls, recordings, alerts, schedules or routers.

The routes are read from the application, so a new page is in these tests from its first
day; a path parameter the tests do not know fails them, asking for it to be added here."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.config import Settings
from callroute.console.routes import ROUTERS
from tests import callsetup, factories
from tests.api.test_console import CSRF, member, sign_in
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant


@pytest.fixture
def settings(db_url: str) -> Settings:
    # The live pages' streams read once and end: the in-process client waits for the end.
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET_KEY,
        rate_limit_per_minute=0,
        auth_failures_per_minute=0,
        console_stream_seconds=0,
    )


PUBLIC = {("GET", "/sign-in"), ("POST", "/sign-in"), ("POST", "/sign-out")}


def console_routes() -> list[tuple[str, str]]:
    found = []
    for routes in ROUTERS:
        for route in routes.routes:
            assert isinstance(route, APIRoute)
            found += [(method, route.path) for method in sorted(route.methods or ())]
    return [route for route in found if route not in PUBLIC]


def test_every_console_page_is_served_by_the_application() -> None:
    served = {
        (method, route.path)
        for route in create_app().routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert set(console_routes()) <= served


async def acme_objects(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> dict[str, str]:
    """One of each thing a console path names, in ``tenant``'s project."""
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer", message_seconds=3)
    await callsetup.settle(ctx)
    [recording] = (await callsetup.call(client, tenant, placed["id"]))["recordings"]
    [alert] = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()["data"]
    schedule = await factories.post(
        client,
        tenant,
        "schedules",
        {
            "name": "Primary",
            "time_zone": "UTC",
            "layers": [
                {
                    "start": "2026-01-01T09:00:00Z",
                    "rotation_length": 1,
                    "rotation_unit": "days",
                    "handoff_time": "09:00",
                    "member_ids": [line.members["Ann"]["id"]],
                }
            ],
        },
    )
    return {
        "call_id": placed["id"],
        "recording_id": recording["id"],
        "alert_id": alert["id"],
        "action": "acknowledge",
        "schedule_id": schedule["id"],
        "router_id": line.router["id"],
    }


def fill(path: str, ids: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"add a {name} to acme_objects() for the console's security tests"
        return ids[name]

    return re.sub(r"\{(\w+)\}", one, path)


async def anonymous_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))


async def test_an_anonymous_request_to_any_page_goes_to_sign_in(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ids = await acme_objects(client, tenant, ctx)
    async with await anonymous_client(client) as anonymous:
        for method, path in console_routes():
            answer = await anonymous.request(method, fill(path, ids), data={"csrf_token": "x"})
            assert (answer.status_code, answer.headers.get("location")) == (303, "/sign-in"), (
                method,
                path,
            )


async def test_no_form_is_taken_without_the_sessions_csrf_token(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ids = await acme_objects(client, tenant, ctx)
    await member(ctx, tenant, "olga@acme.example", role="owner")
    await sign_in(client, "olga@acme.example")
    before = await state_of(client, tenant)
    for method, path in console_routes():
        if method != "POST":
            continue
        for token in ({}, {"csrf_token": "forged"}):
            answer = await client.post(fill(path, ids), data=token)
            assert answer.status_code == 403, (path, token, answer.status_code)
    assert await state_of(client, tenant) == before


async def test_a_viewer_reaches_no_form_that_changes_anything(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ids = await acme_objects(client, tenant, ctx)
    await member(ctx, tenant, "vic@acme.example", role="viewer")
    await sign_in(client, "vic@acme.example")
    token = CSRF.search((await client.get("/")).text)
    assert token
    before = await state_of(client, tenant)
    for method, path in console_routes():
        if method == "POST":
            answer = await client.post(fill(path, ids), data={"csrf_token": token.group(1)})
            assert answer.status_code == 403, (path, answer.status_code)
        elif path.endswith("/edit"):
            assert (await client.get(fill(path, ids))).status_code == 403, path
        else:  # a page to read: a viewer may
            answer = await client.get(fill(path, ids))
            assert answer.status_code == 200, (path, answer.status_code)
            assert (
                "<form"
                not in answer.text.replace('action="/sign-out"', "").split("</header>", 1)[-1]
                or "GET" in answer.text.split("</header>", 1)[-1].upper()
            ), path
    assert await state_of(client, tenant) == before


async def test_another_projects_member_finds_none_of_this_project(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ids = await acme_objects(client, tenant, ctx)
    other = await make_tenant(ctx, "Globex Support")
    await member(ctx, other, "gus@globex.example", role="owner")
    await sign_in(client, "gus@globex.example")
    token = CSRF.search((await client.get("/")).text)
    assert token
    before = await state_of(client, tenant)
    for method, path in console_routes():
        if "{" not in path:
            answer = await client.request(method, path, data={"csrf_token": token.group(1)})
            for secret in (ids["call_id"], ids["router_id"], ids["schedule_id"], ids["alert_id"]):
                assert secret not in answer.text, (method, path)
            continue
        answer = await client.request(method, fill(path, ids), data={"csrf_token": token.group(1)})
        assert answer.status_code == 404, (method, path, answer.status_code)
    assert await state_of(client, tenant) == before


async def state_of(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    """What the console's forms could change in ``tenant``'s project, read through the API."""
    read = {}
    for resource in ("calls", "alerts", "routers", "schedules"):
        rows = (await client.get(f"/api/v1/{resource}", headers=tenant.headers)).json()["data"]
        read[resource] = sorted(rows, key=lambda row: str(row["id"]))
    for schedule in read["schedules"]:
        found = await client.get(
            f"/api/v1/schedules/{schedule['id']}/overrides", headers=tenant.headers
        )
        schedule["overrides"] = found.json()
    return read
