"""The error contract: every failure has the documented status and shape, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from callroute.app_context import AppContext
from tests.conftest import Tenant

URL = "/api/v1/members"


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error.get("field") == field
    assert response.headers["x-request-id"]


async def test_malformed_json_is_400(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        URL, content=b'{"name": ', headers={**tenant.headers, "Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 123}, "name"),
        ({"name": ["x"]}, "name"),
        ({"name": "x", "phones": "+14155550148"}, "phones"),
        (
            {"name": "x", "phones": [{"number": "+14155550148", "verified": "yes"}]},
            "phones[0].verified",
        ),
        ({"name": "x", "phones": [{"number": 14155550148}]}, "phones[0].number"),
        ({"name": "x", "nickname": "y"}, "nickname"),
        ({"name": "x", "phones": [{"number": "+14155550148", "extra": 1}]}, "phones[0].extra"),
        ({"name": "x" * 201}, "name"),
        ({"name": "x", "email": "not-an-email"}, "email"),
        ({"name": "x", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({}, "name"),
        ([], "body"),
        ("just a string", "body"),
    ],
)
async def test_wrongly_typed_or_unknown_fields_are_422_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, body: object, field: str
) -> None:
    response = await client.post(URL, json=body, headers=tenant.headers)
    assert_error(response, 422, "validation_error", field)
    assert field in response.json()["error"]["message"] or field == "body"


async def test_empty_body_is_422(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        URL, content=b"", headers={**tenant.headers, "Content-Type": "application/json"}
    )
    assert_error(response, 422, "validation_error", "body")


async def test_non_json_body_is_415(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(URL, data={"name": "x"}, headers=tenant.headers)
    assert_error(response, 415, "unsupported_media_type", "body")


async def test_oversized_body_is_413_with_and_without_content_length(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    big = b'{"name": "' + b"x" * (ctx.settings.max_body_bytes + 1) + b'"}'
    headers = {**tenant.headers, "Content-Type": "application/json"}
    assert_error(await client.post(URL, content=big, headers=headers), 413, "payload_too_large")

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    chunked = await client.post(URL, content=chunks(), headers=headers)
    assert "content-length" not in chunked.request.headers
    assert_error(chunked, 413, "payload_too_large")
    assert (await client.get(URL, headers=tenant.headers)).json()["total"] == 0


async def test_unknown_route_and_method(client: httpx.AsyncClient, tenant: Tenant) -> None:
    assert_error(await client.get("/api/v1/nope", headers=tenant.headers), 404, "not_found")
    assert_error(await client.put(URL, headers=tenant.headers), 405, "method_not_allowed")


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert generated.headers["x-request-id"] != "bad id\twith spaces"
    assert len(generated.headers["x-request-id"]) == 32


async def test_unexpected_exception_is_a_shaped_500_with_request_id(
    ctx: AppContext,
) -> None:
    from callroute.app import create_app

    app = create_app(ctx=ctx)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")
    assert_error(response, 500, "internal_error")
    assert "kaboom" not in response.text  # internals stay in the log
