"""Numbers and date-times are range-checked before they reach date arithmetic or the
database: a bare number is not a date-time, a date-time outside the years 1900-2999 and an
integer beyond 32 bits are a 4xx naming the field, in every API."""

from __future__ import annotations

import httpx
import pytest
from pydantic import AwareDatetime, ValidationError

from callroute.api.schemas import RequestModel, StrictInt
from tests import factories
from tests.conftest import Tenant

FAR_PAST = "0001-01-01T00:00:00Z"


def field_of(response: httpx.Response, status: int = 422) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    field: str = error["field"]
    return field


@pytest.mark.parametrize(
    "at", [FAR_PAST, "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "3000-01-01T00:00Z"]
)
async def test_on_call_at_a_far_date_is_a_422(
    client: httpx.AsyncClient, tenant: Tenant, at: str
) -> None:
    ann = await factories.member(client, tenant)
    schedule = await factories.schedule(client, tenant, [ann["id"]])
    response = await client.get(
        f"/api/v1/schedules/{schedule['id']}/on-call", params={"at": at}, headers=tenant.headers
    )
    assert field_of(response) == "at"
    assert "years 1900 to 2999" in response.json()["error"]["message"]


async def test_the_ends_of_the_range_are_accepted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann = await factories.member(client, tenant)
    schedule = await factories.schedule(client, tenant, [ann["id"]])
    for at in ("1900-01-01T00:00:00+14:00", "2999-12-31T23:59:59-12:00"):
        response = await client.get(
            f"/api/v1/schedules/{schedule['id']}/on-call",
            params={"at": at},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", ["0", "1767225600", "-1", "1e3", "12.5"])
async def test_a_bare_number_is_not_a_date_time(
    client: httpx.AsyncClient, tenant: Tenant, value: str
) -> None:
    for path, param in (
        ("/api/v1/members", "created_before"),
        ("/api/v1/calls", "started_after"),
        ("/api/v1/alerts", "created_after"),
    ):
        response = await client.get(path, params={param: value}, headers=tenant.headers)
        assert field_of(response) == param
        assert "not a number" in response.json()["error"]["message"]


async def test_a_bare_number_in_a_body_is_not_a_date_time(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/api/v1/api-keys",
        json={"name": "ci", "role": "viewer", "expires_at": 1893456000},
        headers=tenant.headers,
    )
    assert field_of(response) == "expires_at"


def test_an_integer_beyond_32_bits_is_refused_by_every_request_model() -> None:
    class Unbounded(RequestModel):
        count: StrictInt
        at: AwareDatetime | None = None

    assert Unbounded(count=2**31 - 1).count == 2**31 - 1
    for count in (2**31, -(2**31) - 1, 2**64):
        with pytest.raises(ValidationError) as caught:
            Unbounded(count=count)
        error = caught.value.errors()[0]
        assert (error["loc"], error["msg"]) == (
            ("count",),
            "Value error, must be between -2147483648 and 2147483647",
        )
    with pytest.raises(ValidationError, match="not a number"):
        Unbounded(count=1, at="1767225600")


async def test_rootly_refuses_a_far_date_filter(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(
        "/v1/live_call_routers",
        params={"filter[created_at][gt]": "0001-01-01T00:00:00+01:00"},
        headers=tenant.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["detail"].startswith("filter[created_at][gt]: ")


async def test_vcita_refuses_a_far_date_filter(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(
        "/v3/communication/voice_calls",
        params={"filter[created_at][gte]": "0001-01-01T00:00:00+01:00"},
        headers=tenant.headers,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "VALUE_OUT_OF_RANGE"
    response = await client.get(
        "/v3/communication/voice_calls/reports/voice_call_stats",
        params={"start_date": "0001-01-01"},
        headers=tenant.headers,
    )
    assert response.status_code == 400, response.text


async def test_oneuptime_bounds_skip_and_dates(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = {"ApiKey": tenant.key}
    response = await client.post(
        "/api/incoming-call-policy/get-list",
        json={"skip": 1180591620717411303424},
        headers=headers,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith("skip: must be between 0 and ")
    response = await client.post(
        "/api/incoming-call-policy/get-list",
        json={"query": {"createdAt": {"_type": "DateTime", "value": FAR_PAST}}},
        headers=headers,
    )
    assert response.status_code == 400, response.text
