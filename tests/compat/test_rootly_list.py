"""Listing live call routers: Rootly's page numbers, filters, sort, ``links`` and ``meta``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from callroute.clock import FrozenClock
from tests.compat import rootly_support as rs
from tests.compat.rootly_support import BASE
from tests.conftest import Tenant

URL = "http://callroute.test/v1/live_call_routers"
# In order of creation; capitalised, so any collation sorts them alike.
NAMES = ["Charlie", "Alpha", "Bravo", "Echo_line", "Delta"]


def page_link(number: int, size: int, rest: str = "") -> str:
    return f"{URL}?page%5Bnumber%5D={number}&page%5Bsize%5D={size}{rest}"


async def routers(client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock) -> list[str]:
    """Five routers, created an hour apart from 09:00; their ids in order of creation."""
    d = await rs.directory(client, tenant)
    ids = []
    for name in NAMES:
        ids.append((await rs.create(client, tenant, rs.minimal(d, name=name)))["id"])
        clock.advance(timedelta(hours=1))
    return ids


async def listing(client: httpx.AsyncClient, tenant: Tenant, **params: Any) -> dict[str, Any]:
    response = await client.get(BASE, params=params, headers=rs.headers(tenant))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == rs.MEDIA_TYPE
    body: dict[str, Any] = response.json()
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [r["attributes"]["name"] for r in body["data"]]


async def test_pages_carry_rootlys_links_and_meta(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    await routers(client, tenant, clock)
    whole = await listing(client, tenant)
    assert names(whole) == NAMES  # oldest first, 25 a page
    assert whole["links"] == {
        "self": page_link(1, 25),
        "first": page_link(1, 25),
        "prev": None,
        "next": None,
        "last": page_link(1, 25),
    }
    assert whole["meta"] == {
        "current_page": 1,
        "next_page": None,
        "prev_page": None,
        "total_count": 5,
        "total_pages": 1,
    }

    middle = await listing(client, tenant, **{"page[number]": 2, "page[size]": 2})
    assert names(middle) == ["Bravo", "Echo_line"]
    assert middle["links"] == {
        "self": page_link(2, 2),
        "first": page_link(1, 2),
        "prev": page_link(1, 2),
        "next": page_link(3, 2),
        "last": page_link(3, 2),
    }
    assert middle["meta"] == {
        "current_page": 2,
        "next_page": 3,
        "prev_page": 1,
        "total_count": 5,
        "total_pages": 3,
    }

    beyond = await listing(client, tenant, **{"page[number]": 4, "page[size]": 2})
    assert beyond["data"] == []
    assert beyond["meta"] == {
        "current_page": 4,
        "next_page": None,
        "prev_page": None,
        "total_count": 5,
        "total_pages": 3,
    }
    assert beyond["links"]["next"] is None


async def test_following_next_until_null_visits_every_router_once(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    """How Rootly's own Terraform sweeper pages: ``page[number]`` up until no ``next``."""
    ids = await routers(client, tenant, clock)
    seen: list[str] = []
    url: str | None = f"{BASE}?page[size]=2&sort=-created_at"
    while url is not None:
        response = await client.get(url, headers=rs.headers(tenant))
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [r["id"] for r in body["data"]]
        url = body["links"]["next"]
    assert seen == list(reversed(ids))


async def test_an_empty_list(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = await listing(client, tenant)
    assert body["data"] == []
    assert body["meta"] == {
        "current_page": 1,
        "next_page": None,
        "prev_page": None,
        "total_count": 0,
        "total_pages": 0,
    }
    assert body["links"]["last"] == page_link(1, 25)


FILTERS_AND_SORTS: list[tuple[dict[str, str], list[str]]] = [
    ({"filter[name]": "Bravo"}, ["Bravo"]),
    ({"filter[name]": "bravo"}, []),
    ({"filter[slug]": "echo-line"}, ["Echo_line"]),
    ({"filter[search]": "HAR"}, ["Charlie"]),
    ({"filter[search]": "o_l"}, ["Echo_line"]),
    ({"filter[search]": "%"}, []),
    ({"filter[search]": "a"}, ["Charlie", "Alpha", "Bravo", "Delta"]),
    ({"filter[created_at][gt]": "2026-03-02T10:00:00Z"}, ["Bravo", "Echo_line", "Delta"]),
    (
        {"filter[created_at][gte]": "2026-03-02T10:00:00Z"},
        ["Alpha", "Bravo", "Echo_line", "Delta"],
    ),
    ({"filter[created_at][lt]": "2026-03-02T06:00:00-05:00"}, ["Charlie", "Alpha"]),
    ({"filter[created_at][lte]": "2026-03-02T11:00:00"}, ["Charlie", "Alpha", "Bravo"]),
    (
        {
            "filter[created_at][gt]": "2026-03-02",
            "filter[created_at][lt]": "2026-03-02T10:30:00.000+00:00",
        },
        ["Charlie", "Alpha"],
    ),
    ({"filter[created_at][gt]": "2026-03-03"}, []),
    ({"sort": "name"}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo_line"]),
    ({"sort": "-name"}, ["Echo_line", "Delta", "Charlie", "Bravo", "Alpha"]),
    ({"sort": "slug,-created_at"}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo_line"]),
    ({"sort": "-created_at"}, list(reversed(NAMES))),
    ({"sort": "updated_at,-name"}, NAMES),
    ({"include": "", "filter[name]": "Delta"}, ["Delta"]),
]


async def test_filters_and_sort(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    await routers(client, tenant, clock)
    for params, expected in FILTERS_AND_SORTS:
        body = await listing(client, tenant, **params)
        assert names(body) == expected, params
        assert body["meta"]["total_count"] == len(expected), params


async def test_links_keep_the_filters_and_sort(
    client: httpx.AsyncClient, tenant: Tenant, clock: FrozenClock
) -> None:
    """The Terraform data source's lookup: a name, a time window, one router a page."""
    await routers(client, tenant, clock)
    params = {
        "filter[search]": "a",
        "sort": "-name",
        "page[size]": "1",
        "filter[created_at][gt]": "2026-03-01T00:00:00Z",
    }
    body = await listing(client, tenant, **params)
    assert names(body) == ["Delta"]
    rest = (
        "&filter%5Bsearch%5D=a&sort=-name&filter%5Bcreated_at%5D%5Bgt%5D=2026-03-01T00%3A00%3A00Z"
    )
    assert body["links"]["next"] == page_link(2, 1, rest)
    assert body["links"]["last"] == page_link(4, 1, rest)
    second = await client.get(body["links"]["next"], headers=rs.headers(tenant))
    assert names(second.json()) == ["Charlie"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page[size]": "0"}, "page[size]"),
        ({"page[size]": "101"}, "page[size]"),
        ({"page[size]": "ten"}, "page[size]"),
        ({"page[size]": "²"}, "page[size]"),
        ({"page[number]": "0"}, "page[number]"),
        ({"page[number]": "-1"}, "page[number]"),
        ({"page[number]": "1" * 30}, "page[number]"),
        ({"filter[kind]": "live"}, "filter[kind]"),
        ({"page": "2"}, "page"),
        ({"sort": "phone_number"}, "sort"),
        ({"sort": "name,,created_at"}, "sort"),
        ({"filter[created_at][gt]": "yesterday"}, "filter[created_at][gt]"),
        ({"filter[created_at][after]": "2026-03-02"}, "filter[created_at][after]"),
    ],
)
async def test_bad_list_parameters_are_refused_naming_them(
    client: httpx.AsyncClient, tenant: Tenant, params: dict[str, str], field: str
) -> None:
    response = await client.get(BASE, params=params, headers=rs.headers(tenant))
    detail = rs.errors(response, 422)[0]["detail"]
    assert detail.startswith(f"{field}: "), detail


async def test_a_parameter_given_twice_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(f"{BASE}?filter[name]=a&filter[name]=b", headers=rs.headers(tenant))
    assert rs.errors(response, 422)[0]["detail"].startswith("filter[name]: given more than once")
