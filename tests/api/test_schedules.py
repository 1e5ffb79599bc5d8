"""Schedules through the API: validation, on-call, shifts, overrides, iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from tests import factories
from tests.conftest import Tenant

URL = "/api/v1/schedules"


def layer(member_ids: list[str], **extra: Any) -> dict[str, Any]:
    base = {
        "start": "2026-03-02T09:00:00-05:00",
        "rotation_length": 1,
        "rotation_unit": "days",
        "handoff_time": "09:00",
        "member_ids": member_ids,
    }
    return {**base, **extra}


async def two_members(client: httpx.AsyncClient, tenant: Tenant) -> tuple[str, str]:
    ann = await factories.member(client, tenant, "Ann", "+14155550100")
    bob = await factories.member(client, tenant, "Bob", "+14155550101")
    return ann["id"], bob["id"]


async def test_daily_handoff_stays_at_nine_local_across_spring_forward(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann, bob = await two_members(client, tenant)
    schedule = await factories.post(
        client,
        tenant,
        "schedules",
        {"name": "Daily", "time_zone": "America/New_York", "layers": [layer([ann, bob])]},
    )
    assert schedule["layers"][0]["handoff_time"] == "09:00"
    shifts = (
        await client.get(
            f"{URL}/{schedule['id']}/shifts",
            params={"from": "2026-03-07T00:00:00Z", "to": "2026-03-10T00:00:00Z"},
            headers=tenant.headers,
        )
    ).json()
    boundaries = [s["start"] for s in shifts["shifts"]][1:]
    # 09:00 EST is 14:00Z; after the change on 8 March, 09:00 EDT is 13:00Z.
    assert boundaries == ["2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"]
    assert shifts["from"] == "2026-03-07T00:00:00Z"

    at = await client.get(
        f"{URL}/{schedule['id']}/on-call",
        params={"at": "2026-03-08T12:59:59Z"},
        headers=tenant.headers,
    )
    body = at.json()
    assert body["member"]["id"] == (ann if body["member"]["name"] == "Ann" else bob)
    assert body["shift"] == {
        "member": body["member"],
        "start": "2026-03-07T14:00:00Z",
        "end": "2026-03-08T13:00:00Z",
    }


async def test_overrides_win_and_can_be_listed_and_removed(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann, bob = await two_members(client, tenant)
    carol = (await factories.member(client, tenant, "Carol", "+14155550102"))["id"]
    schedule = await factories.post(
        client,
        tenant,
        "schedules",
        {"name": "S", "time_zone": "Europe/London", "layers": [layer([ann, bob])]},
    )
    sid = schedule["id"]
    override = await factories.post(
        client,
        tenant,
        f"schedules/{sid}/overrides",
        {"member_id": carol, "start": "2026-03-04T10:00:00Z", "end": "2026-03-04T12:00:00Z"},
    )
    on_call = (
        await client.get(
            f"{URL}/{sid}/on-call", params={"at": "2026-03-04T11:00:00Z"}, headers=tenant.headers
        )
    ).json()
    assert on_call["member"]["name"] == "Carol"
    assert on_call["shift"]["start"] == "2026-03-04T10:00:00Z"
    listed = (await client.get(f"{URL}/{sid}/overrides", headers=tenant.headers)).json()
    assert [o["id"] for o in listed["data"]] == [override["id"]]
    removed = await client.delete(f"{URL}/{sid}/overrides/{override['id']}", headers=tenant.headers)
    assert removed.status_code == 204
    on_call = (
        await client.get(
            f"{URL}/{sid}/on-call", params={"at": "2026-03-04T11:00:00Z"}, headers=tenant.headers
        )
    ).json()
    assert on_call["member"]["name"] in ("Ann", "Bob")


async def test_nobody_on_call_is_an_answer_not_an_error(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann, _ = await two_members(client, tenant)
    schedule = await factories.post(
        client,
        tenant,
        "schedules",
        {
            "name": "Business hours",
            "time_zone": "America/New_York",
            "layers": [
                layer(
                    [ann],
                    restrictions=[
                        {
                            "kind": "weekly",
                            "start_day": day,
                            "start_time": "09:00",
                            "duration_minutes": 480,
                        }
                        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
                    ],
                )
            ],
        },
    )
    saturday = (
        await client.get(
            f"{URL}/{schedule['id']}/on-call",
            params={"at": "2026-03-07T15:00:00Z"},
            headers=tenant.headers,
        )
    ).json()
    assert saturday == {"at": "2026-03-07T15:00:00Z", "member": None, "shift": None}
    monday = (
        await client.get(
            f"{URL}/{schedule['id']}/on-call",
            params={"at": "2026-03-09T15:00:00Z"},
            headers=tenant.headers,
        )
    ).json()
    assert monday["member"]["id"] == ann
    assert monday["shift"]["start"] == "2026-03-09T13:00:00Z"  # 09:00 EDT
    assert monday["shift"]["end"] == "2026-03-09T21:00:00Z"  # 17:00 EDT


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"layers": [{"rotation_length": 0}]}, "layers[0].rotation_length"),
        ({"layers": [{"rotation_length": -3}]}, "layers[0].rotation_length"),
        ({"layers": [{"rotation_unit": "months"}]}, "layers[0].rotation_unit"),
        ({"layers": [{"handoff_time": None}]}, "layers[0].handoff_time"),
        ({"layers": [{"rotation_unit": "hours"}]}, "layers[0].handoff_time"),
        ({"layers": [{"member_ids": []}]}, "layers[0].member_ids"),
        ({"layers": [{"member_ids": ["not-a-uuid"]}]}, "layers[0].member_ids[0]"),
        (
            {"layers": [{"member_ids": ["01a20000-0000-7000-8000-000000000000"]}]},
            "layers[0].member_ids[0]",
        ),
        ({"layers": [{"start": "2026-03-02T09:00:00"}]}, "layers[0].start"),
        ({"layers": [{"end": "2026-03-01T00:00:00Z"}]}, "layers[0].end"),
        (
            {
                "layers": [
                    {
                        "restrictions": [
                            {"kind": "daily", "start_time": "09:00", "duration_minutes": 0}
                        ]
                    }
                ]
            },
            "layers[0].restrictions[0].duration_minutes",
        ),
        (
            {
                "layers": [
                    {
                        "restrictions": [
                            {"kind": "daily", "start_time": "09:00", "duration_minutes": 1441}
                        ]
                    }
                ]
            },
            "layers[0].restrictions[0].duration_minutes",
        ),
        (
            {
                "layers": [
                    {
                        "restrictions": [
                            {"kind": "weekly", "start_time": "09:00", "duration_minutes": 60}
                        ]
                    }
                ]
            },
            "layers[0].restrictions[0].start_day",
        ),
        (
            {
                "layers": [
                    {
                        "restrictions": [
                            {
                                "kind": "weekly",
                                "start_day": "Monday",
                                "start_time": "09:00",
                                "duration_minutes": 60,
                            }
                        ]
                    }
                ]
            },
            "layers[0].restrictions[0].start_day",
        ),
    ],
)
async def test_bad_schedules_are_422_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, patch: dict[str, Any], field: str
) -> None:
    ann, _ = await two_members(client, tenant)
    body: dict[str, Any] = {"name": "S", "time_zone": "UTC", "layers": [layer([ann])]}
    for key, value in patch.items():
        if key == "layers":
            body["layers"] = [{**body["layers"][0], **value[0]}]
        else:
            body[key] = value
    response = await client.post(URL, json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert (await client.get(URL, headers=tenant.headers)).json()["total"] == 0


async def test_override_and_range_errors(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ann, _ = await two_members(client, tenant)
    sid = (await factories.schedule(client, tenant, [ann]))["id"]
    backwards = await client.post(
        f"{URL}/{sid}/overrides",
        json={"member_id": ann, "start": "2026-03-05T00:00:00Z", "end": "2026-03-04T00:00:00Z"},
        headers=tenant.headers,
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "end"
    unknown = await client.post(
        f"{URL}/{sid}/overrides",
        json={
            "member_id": "01a20000-0000-7000-8000-000000000000",
            "start": "2026-03-04T00:00:00Z",
            "end": "2026-03-05T00:00:00Z",
        },
        headers=tenant.headers,
    )
    assert unknown.json()["error"]["field"] == "member_id"
    for params, field in [
        ({"from": "2026-03-01T00:00:00Z", "to": "2027-03-03T00:00:00Z"}, "to"),
        ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "to"),
        ({"from": "2026-03-01T00:00:00Z"}, "to"),
        ({"from": "yesterday", "to": "2026-03-01T00:00:00Z"}, "from"),
        ({"from": "2026-03-01T00:00:00", "to": "2026-03-02T00:00:00Z"}, "from"),
    ]:
        response = await client.get(f"{URL}/{sid}/shifts", params=params, headers=tenant.headers)
        assert response.status_code == 422, params
        assert response.json()["error"]["field"] == field, params


async def test_icalendar_exports_parse_and_match_the_shifts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann, bob = await two_members(client, tenant)
    schedule = await factories.schedule(client, tenant, [ann, bob], name="Primary")
    params = {"from": "2026-03-02T00:00:00Z", "to": "2026-03-30T00:00:00Z"}
    shifts = (
        await client.get(f"{URL}/{schedule['id']}/shifts", params=params, headers=tenant.headers)
    ).json()["shifts"]
    response = await client.get(
        f"{URL}/{schedule['id']}/shifts.ics", params=params, headers=tenant.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == len(shifts)
    for event, shift in zip(events, shifts, strict=True):
        assert event.decoded("dtstart") == datetime.fromisoformat(shift["start"])
        assert event.decoded("dtend") == datetime.fromisoformat(shift["end"])
        assert shift["member"]["name"] in str(event["summary"])
        assert event["uid"]
    # A member's own feed, authenticated by ?key= as calendar apps subscribe.
    feed = await client.get(
        f"/api/v1/members/{ann}/shifts.ics", params={**params, "key": tenant.key}
    )
    assert feed.status_code == 200
    mine = list(Calendar.from_ical(feed.content).walk("VEVENT"))
    assert len(mine) == sum(1 for s in shifts if s["member"]["id"] == ann)
    assert all(e.decoded("dtstart").tzinfo is not None for e in mine)
    assert (
        await client.get(f"/api/v1/members/{ann}/shifts.ics", params={"key": "wrong"})
    ).status_code == 401
    # ?key= is only for calendar feeds.
    assert (await client.get(URL, params={"key": tenant.key})).status_code == 401


async def test_updating_layers_replaces_them(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ann, bob = await two_members(client, tenant)
    schedule = await factories.schedule(client, tenant, [ann, bob])
    response = await client.patch(
        f"{URL}/{schedule['id']}",
        json={
            "layers": [
                layer(
                    [bob],
                    name="Only Bob",
                    rotation_unit="hours",
                    handoff_time=None,
                    rotation_length=12,
                )
            ]
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    layers = response.json()["layers"]
    assert [(x["name"], x["member_ids"], x["rotation_unit"]) for x in layers] == [
        ("Only Bob", [bob], "hours")
    ]
    now = datetime(2026, 3, 10, tzinfo=UTC).isoformat()
    on_call = (
        await client.get(
            f"{URL}/{schedule['id']}/on-call", params={"at": now}, headers=tenant.headers
        )
    ).json()
    assert on_call["member"]["id"] == bob
