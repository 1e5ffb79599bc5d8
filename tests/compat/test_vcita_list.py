"""The voice-calls list: `page`, `per_page` (≤ 100), `sort=field:asc,...` and bracket
filters such as `filter[created_at][gt]`, on both databases."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from callroute.clock import FrozenClock
from tests import factories
from tests.compat.test_vcita import BASE, JSON, Business, assert_error, business, create
from tests.conftest import Tenant


async def uids(client: httpx.AsyncClient, biz: Business, **params: str | int) -> list[str]:
    response = await client.get(BASE, params=params, headers=biz.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"success", "data"}
    assert set(body["data"]) == {"voice_calls"}
    return [call["uid"] for call in body["data"]["voice_calls"]]


async def five_calls(client: httpx.AsyncClient, biz: Business, clock: FrozenClock) -> list[JSON]:
    """Five calls, an hour apart, created oldest first."""
    calls = []
    for index in range(5):
        calls.append(
            await create(
                client,
                biz,
                external_uuid=f"ext-{index}",
                direction="OUTBOUND" if index % 2 else "INBOUND",
                status="MISSED" if index < 2 else "ANSWERED_BY_STAFF",
            )
        )
        clock.advance(timedelta(hours=1))
    return calls


async def test_pages_of_per_page_calls_newest_update_first(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    biz = await business(client, tenant)
    calls = await five_calls(client, biz, clock)
    newest_first = [c["uid"] for c in reversed(calls)]
    assert await uids(client, biz) == newest_first  # default sort updated_at:desc
    assert await uids(client, biz, per_page=2) == newest_first[:2]
    assert await uids(client, biz, per_page=2, page=2) == newest_first[2:4]
    assert await uids(client, biz, per_page=2, page=3) == newest_first[4:]
    assert await uids(client, biz, per_page=2, page=4) == []
    assert await uids(client, biz, per_page=100, page=10000) == []


async def test_sort_by_several_fields(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    biz = await business(client, tenant)
    calls = await five_calls(client, biz, clock)
    oldest_first = [c["uid"] for c in calls]
    assert await uids(client, biz, sort="created_at:asc") == oldest_first
    assert await uids(client, biz, sort="created_at:desc") == oldest_first[::-1]
    # Touch the oldest call: it becomes the most recently updated.
    body = {
        "staff_uid": calls[0]["staff_uid"],
        "client_uid": calls[0]["client_uid"],
        "from_number": "+14155550148",
        "to_number": "+14155550901",
        "direction": "INBOUND",
        "status": "MISSED",
        "rate": "0.05",
        "price": None,
        "provider": "VONAGE",
        "source_id": "call-src-001",
        "duration": 30,
        "call_summary": "Rang back later",
        "external_app_url": None,
        "external_app_name": None,
        "recording_id": None,
        "external_uuid": "ext-0",
    }
    response = await client.put(f"{BASE}/{calls[0]['uid']}", json=body, headers=biz.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["updated_at"] > calls[4]["updated_at"]
    assert (await uids(client, biz))[0] == calls[0]["uid"]
    assert await uids(client, biz, sort="updated_at:asc,created_at:desc") == [
        *oldest_first[1:],
        oldest_first[0],
    ]


async def test_filters_narrow_the_list(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    biz = await business(client, tenant)
    calls = await five_calls(client, biz, clock)
    ids = [c["uid"] for c in calls]
    third = calls[2]["created_at"]  # 2026-03-02T11:00:00.000Z
    assert third == "2026-03-02T11:00:00.000Z"
    by = {
        "filter[created_at][gt]": (third, ids[3:]),
        "filter[created_at][gte]": (third, ids[2:]),
        "filter[created_at][lt]": (third, ids[:2]),
        "filter[created_at][lte]": (third, ids[:3]),
        "filter[created_at][eq]": (third, ids[2:3]),
        "filter[created_at]": ("2026-03-02T11:00:00+00:00", ids[2:3]),
        "filter[updated_at][gt]": ("2026-03-02T12:30:00Z", ids[4:]),
        "filter[direction]": ("OUTBOUND", [ids[1], ids[3]]),
        "filter[status]": ("MISSED", ids[:2]),
        "filter[staff_uid]": (biz.staff["id"], ids),
        "filter[client_uid]": (biz.client["id"], ids),
        "filter[external_uuid]": ("ext-3", ids[3:4]),
        "filter[from_number]": ("+14155550148", ids),
        "filter[to_number]": ("+14155550148", []),
    }
    for name, (value, expected) in by.items():
        assert sorted(await uids(client, biz, **{name: value})) == sorted(expected), name
    # A day as a date, filters combined, and a uid that is nobody's.
    assert await uids(client, biz, **{"filter[created_at][gt]": "2026-03-03"}) == []
    assert await uids(client, biz, **{"filter[created_at][gte]": "2026-03-02"}) == ids[::-1]
    combined = {"filter[status]": "ANSWERED_BY_STAFF", "filter[direction]": "INBOUND"}
    assert sorted(await uids(client, biz, **combined)) == sorted([ids[2], ids[4]])
    assert await uids(client, biz, **{"filter[staff_uid]": "nobody"}) == []


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"per_page": "0"}, "per_page", "VALUE_OUT_OF_RANGE"),
        ({"per_page": "101"}, "per_page", "VALUE_OUT_OF_RANGE"),
        ({"per_page": "ten"}, "per_page", "INVALID_FORMAT"),
        ({"page": "0"}, "page", "VALUE_OUT_OF_RANGE"),
        ({"page": "10001"}, "page", "VALUE_OUT_OF_RANGE"),
        ({"page": "-1"}, "page", "INVALID_FORMAT"),
        ({"sort": "duration:asc"}, "sort", "INVALID_FORMAT"),
        ({"sort": "created_at"}, "sort", "INVALID_FORMAT"),
        ({"sort": "created_at:ASC"}, "sort", "INVALID_FORMAT"),
        ({"sort": "created_at:asc,created_at:desc"}, "sort", "INVALID_FORMAT"),
        ({"filter[created_at][gt]": "yesterday"}, "filter[created_at][gt]", "INVALID_FORMAT"),
        (
            {"filter[created_at][after]": "2026-01-01"},
            "filter[created_at][after]",
            "UNKNOWN_PARAMETER",
        ),
        ({"filter[status][gt]": "MISSED"}, "filter[status][gt]", "UNKNOWN_PARAMETER"),
        ({"filter[name]": "x"}, "filter[name]", "UNKNOWN_PARAMETER"),
        ({"filter[status]": "missed"}, "filter[status]", "INVALID_ENUM_VALUE"),
        ({"filter[direction]": "inbound"}, "filter[direction]", "INVALID_ENUM_VALUE"),
        ({"limit": "10"}, "limit", "UNKNOWN_PARAMETER"),
    ],
)
async def test_bad_list_parameters_are_refused_naming_them(
    client: httpx.AsyncClient, tenant: Tenant, params: dict[str, str], field: str, code: str
) -> None:
    response = await client.get(BASE, params=params, headers=tenant.headers)
    assert_error(response, 400, code, field)


async def test_a_parameter_given_twice_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(f"{BASE}?page=1&page=2", headers=tenant.headers)
    assert_error(response, 400, "INVALID_PARAMETER", "page")


async def test_the_list_shows_only_the_business_own_calls(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    theirs = await business(client, other_tenant)
    mine = await create(client, biz)
    await create(client, theirs)
    assert await uids(client, biz) == [mine["uid"]]
    other_staff = await factories.member(client, other_tenant, "Zed", "+14155550109")
    assert await uids(client, biz, **{"filter[staff_uid]": other_staff["id"]}) == []
    assert await uids(client, biz, **{"filter[staff_uid]": theirs.staff["id"]}) == []
