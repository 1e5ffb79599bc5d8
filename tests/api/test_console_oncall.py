"""The console's on-call page over HTTP on both databases: who is on call now and next, the
next 14 days in the schedule's time zone, and the override form (the API's validation at the
field, the schedules:write permission, CSRF, tenancy)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from callroute.app_context import AppContext
from tests import factories
from tests.api.test_console import CSRF, member, sign_in
from tests.conftest import Tenant, make_tenant

# The clock starts at Monday 2 March 2026, 09:00 UTC: 04:00 in New York, where a daily
# rotation hands off at 09:00. The clocks go forward there on Sunday 8 March.
ZONE = "America/New_York"


async def rotation(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    """Ann, Bob and Carol; a daily rotation of Ann then Bob since Sunday 1 March, 09:00."""
    people = {
        name: (await factories.member(client, tenant, name, number))["id"]
        for name, number in (
            ("Ann", "+14155550101"),
            ("Bob", "+14155550102"),
            ("Carol", "+14155550103"),
        )
    }
    schedule = await factories.post(
        client,
        tenant,
        "schedules",
        {
            "name": "Primary",
            "time_zone": ZONE,
            "layers": [
                {
                    "start": "2026-03-01T09:00:00-05:00",
                    "rotation_length": 1,
                    "rotation_unit": "days",
                    "handoff_time": "09:00",
                    "member_ids": [people["Ann"], people["Bob"]],
                }
            ],
        },
    )
    return {"id": schedule["id"], **people}


def text(fragment: str) -> str:
    """What a fragment reads, its time ranges' en dash read as "to"."""
    read = html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\N{EN DASH}", " to ")
    return " ".join(read.split())


def turn(page: str, which: str) -> str:
    found = re.search(rf'data-turn="{which}">(.*?)</div>', page, re.S)
    assert found, page
    return text(found.group(1))


def days(page: str) -> dict[str, str]:
    """Each day of the timeline (its date) → its rows, as read."""
    return {
        day: text(body)
        for day, body in re.findall(r'<tbody data-day="([^"]+)">(.*?)</tbody>', page, re.S)
    }


async def api_on_call(client: httpx.AsyncClient, tenant: Tenant, schedule_id: str) -> str:
    answer = await client.get(f"/api/v1/schedules/{schedule_id}/on-call", headers=tenant.headers)
    name: str = answer.json()["member"]["name"]
    return name


async def overrides(client: httpx.AsyncClient, tenant: Tenant, schedule_id: str) -> list[Any]:
    answer = await client.get(f"/api/v1/schedules/{schedule_id}/overrides", headers=tenant.headers)
    data: list[Any] = answer.json()["data"]
    return data


async def token_of(client: httpx.AsyncClient) -> str:
    found = CSRF.search((await client.get("/on-call")).text)
    assert found
    return found.group(1)


async def test_the_page_shows_who_is_on_call_now_next_and_for_14_days(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await rotation(client, tenant)
    await member(ctx, tenant, "vic@acme.example", role="viewer")
    await sign_in(client, "vic@acme.example")
    page = await client.get("/on-call")
    assert page.status_code == 200
    assert '<a href="/on-call" aria-current="page">On call</a>' in page.text
    assert "Times are in America/New_York." in page.text
    assert turn(page.text, "now") == "On call now Ann until Mon 2 Mar, 09:00 EST"
    assert turn(page.text, "next") == "Next Bob from Mon 2 Mar, 09:00 EST"

    timeline = days(page.text)
    assert list(timeline) == [f"2026-03-{day:02}" for day in range(2, 16)]  # today + 13
    assert timeline["2026-03-02"] == "Mon 2 Mar 00:00 to 09:00 Ann now 09:00 to 24:00 Bob"
    assert timeline["2026-03-03"] == "Tue 3 Mar 00:00 to 09:00 Bob 09:00 to 24:00 Ann"
    # The hand-off stays at 09:00 on the wall clock across the change to summer time.
    assert timeline["2026-03-08"] == "Sun 8 Mar 00:00 to 09:00 Ann 09:00 to 24:00 Bob"
    assert '<time datetime="2026-03-09T09:00:00-04:00">09:00</time>' in page.text
    assert 'viewBox="0 0 1380 1"' in page.text  # 8 March has 23 hours
    assert 'aria-current="time"' in page.text
    assert "Add an override" not in page.text  # a viewer has no form


async def test_an_override_changes_who_is_on_call_now(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    schedule = await rotation(client, tenant)
    await member(ctx, tenant, "dana@acme.example", role="admin")
    await sign_in(client, "dana@acme.example")
    page = (await client.get("/on-call")).text
    assert "Add an override" in page
    assert 'type="datetime-local" required value="2026-03-02T04:00"' in page  # now, local
    added = await client.post(
        f"/on-call/{schedule['id']}/overrides",
        data={
            "csrf_token": await token_of(client),
            "member_id": schedule["Carol"],
            "start": "2026-03-02T03:30",  # New York time: 08:30 UTC
            "end": "2026-03-02T06:00",
        },
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"/on-call#schedule-{schedule['id']}"
    [override] = await overrides(client, tenant, schedule["id"])
    assert (override["start"], override["end"]) == ("2026-03-02T08:30:00Z", "2026-03-02T11:00:00Z")
    assert await api_on_call(client, tenant, schedule["id"]) == "Carol"

    page = (await client.get("/on-call")).text
    assert turn(page, "now") == "On call now Carol until Mon 2 Mar, 06:00 EST"
    assert turn(page, "next") == "Next Ann from Mon 2 Mar, 06:00 EST"
    assert days(page)["2026-03-02"] == (
        "Mon 2 Mar 00:00 to 03:30 Ann 03:30 to 06:00 Carol now"
        " 06:00 to 09:00 Ann 09:00 to 24:00 Bob"
    )


async def test_an_invalid_override_shows_the_apis_message_at_the_field(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    schedule = await rotation(client, tenant)
    other = await make_tenant(ctx, "Globex Support")
    stranger = (await factories.member(client, other, "Stan", "+14155550199"))["id"]
    await member(ctx, tenant, "dana@acme.example", role="admin")
    await sign_in(client, "dana@acme.example")
    url = f"/on-call/{schedule['id']}/overrides"
    token = await token_of(client)
    end_first = await client.post(
        url,
        data={
            "csrf_token": token,
            "member_id": schedule["Carol"],
            "start": "2026-03-02T06:00",
            "end": "2026-03-02T05:00",
        },
    )
    assert end_first.status_code == 422
    field = f"ov-{schedule['id']}-end"
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in end_first.text
    assert f'<p class="error" id="{field}-error">end: must be after start</p>' in end_first.text
    assert 'value="2026-03-02T05:00"' in end_first.text  # what was typed is kept

    unknown = await client.post(
        url,
        data={
            "csrf_token": token,
            "member_id": stranger,  # another project's member is unknown here
            "start": "2026-03-02T04:00",
            "end": "2026-03-02T05:00",
        },
    )
    assert unknown.status_code == 422
    field = f"ov-{schedule['id']}-member_id"
    assert f'id="{field}" name="member_id" required aria-invalid="true"' in unknown.text
    message = f"member_id: no member {stranger} in this project"
    assert f'<p class="error" id="{field}-error">{message}</p>' in unknown.text

    never = await client.post(  # 02:30 on 8 March does not happen in New York
        url,
        data={
            "csrf_token": token,
            "member_id": schedule["Carol"],
            "start": "2026-03-08T02:30",
            "end": "2026-03-08T05:00",
        },
    )
    assert never.status_code == 422
    assert "start: 2026-03-08 02:30 does not exist in America/New_York" in never.text
    assert await overrides(client, tenant, schedule["id"]) == []
    assert await api_on_call(client, tenant, schedule["id"]) == "Ann"


@pytest.mark.parametrize("role", ["viewer", "member"])  # neither may write schedules
async def test_a_role_that_cannot_write_schedules_has_no_form_and_cannot_post_one(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, role: str
) -> None:
    schedule = await rotation(client, tenant)
    await member(ctx, tenant, "vic@acme.example", role=role)
    await sign_in(client, "vic@acme.example")
    page = (await client.get("/on-call")).text
    assert "/overrides" not in page
    refused = await client.post(
        f"/on-call/{schedule['id']}/overrides",
        data={
            "csrf_token": await token_of(client),
            "member_id": schedule["Carol"],
            "start": "2026-03-02T03:30",
            "end": "2026-03-02T06:00",
        },
    )
    assert refused.status_code == 403
    assert f"A {role} cannot add overrides." in refused.text
    assert await overrides(client, tenant, schedule["id"]) == []


async def test_the_form_needs_its_token_the_members_project_and_a_session(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    schedule = await rotation(client, tenant)
    other = await make_tenant(ctx, "Globex Support")
    theirs = await rotation(client, other)
    await member(ctx, tenant, "dana@acme.example", role="owner")
    await sign_in(client, "dana@acme.example")
    body = {"member_id": schedule["Carol"], "start": "2026-03-02T03:30", "end": "2026-03-02T06:00"}
    url = f"/on-call/{schedule['id']}/overrides"
    assert (await client.post(url, data=body)).status_code == 403
    assert (await client.post(url, data={**body, "csrf_token": "forged"})).status_code == 403
    assert await overrides(client, tenant, schedule["id"]) == []

    token = await token_of(client)
    foreign = await client.post(
        f"/on-call/{theirs['id']}/overrides",
        data={**body, "member_id": theirs["Carol"], "csrf_token": token},
    )
    assert foreign.status_code == 404  # another project's schedule does not exist here
    assert await overrides(client, other, theirs["id"]) == []
    page = (await client.get("/on-call")).text
    assert theirs["id"] not in page

    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with anonymous:
        for answer in (await anonymous.get("/on-call"), await anonymous.post(url, data=body)):
            assert answer.status_code == 303
            assert answer.headers["location"] == "/sign-in"
