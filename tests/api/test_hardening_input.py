"""The input rules every API shares (api/edge.py): text without NUL or lone surrogates,
bounded JSON nesting, finite numbers, each query parameter once; each refusal a 4xx in the
called API's own error shape, naming where the bad input was, with no effect."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from callroute.api.edge import MAX_JSON_DEPTH
from tests.conftest import Tenant

BAD_TEXT = ("nul", "surrogate")
JSON = {"Content-Type": "application/json"}
JSON_TEXT = {"nul": b'"a\\u0000b"', "surrogate": b'"a\\ud8ccb"'}


def native_error(response: httpx.Response, status: int, code: str, field: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    message: str = error["message"]
    return message


async def count_teams(client: httpx.AsyncClient, tenant: Tenant) -> int:
    response = await client.get("/api/v1/teams", headers=tenant.headers)
    total: int = response.json()["total"]
    return total


@pytest.mark.parametrize("kind", BAD_TEXT)
async def test_a_bad_string_in_a_json_body_is_refused_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, kind: str
) -> None:
    body = b'{"name": "Ops", "description": ' + JSON_TEXT[kind] + b"}"
    response = await client.post("/api/v1/teams", content=body, headers={**tenant.headers, **JSON})
    message = native_error(response, 400, "invalid_text", "description")
    assert message.startswith("description: the value contains a ")
    assert await count_teams(client, tenant) == 0


async def test_a_bad_string_deep_in_a_body_is_named_by_its_path(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = b'{"name": "Ann", "phones": [{"number": "+14155550101"}, {"label": "x\\u0000"}]}'
    response = await client.post(
        "/api/v1/members", content=body, headers={**tenant.headers, **JSON}
    )
    native_error(response, 400, "invalid_text", "phones[1].label")


async def test_a_bad_field_name_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/teams",
        content=b'{"name": "Ops", "x\\u0000": 1}',
        headers={**tenant.headers, **JSON},
    )
    message = native_error(response, 400, "invalid_text", "x\\x00")
    assert "the field name contains a NUL" in message


async def test_a_bad_query_parameter_is_refused_naming_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get("/api/v1/teams?name=a%00", headers=tenant.headers)
    native_error(response, 400, "invalid_text", "name")
    response = await client.get("/api/v1/teams?na%00me=a", headers=tenant.headers)
    message = native_error(response, 400, "invalid_text", "na\\x00me")
    assert "the parameter name contains a NUL" in message
    # Percent-decoding replaces bytes that are not UTF-8 (a surrogate's, here): no surrogate
    # can arrive in a query string, and nothing is refused.
    response = await client.get("/api/v1/teams?name=%ED%B3%8C", headers=tenant.headers)
    assert response.status_code == 200, response.text


async def test_a_bad_path_parameter_is_refused_naming_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for path, field in (
        ("/api/v1/api-keys/%00", "key_id"),
        ("/api/v1/teams/a%00b", "team_id"),
        ("/api/v1/no-such-thing/%00", "path"),
    ):
        response = await client.get(path, headers=tenant.headers)
        native_error(response, 400, "invalid_text", field)


async def test_a_bad_key_in_the_query_is_refused_before_any_lookup(
    client: httpx.AsyncClient,
) -> None:
    key = "crk_%00AAAAAAA_" + "B" * 40
    response = await client.get(
        f"/api/v1/schedules/00000000-0000-0000-0000-000000000000/shifts.ics?key={key}"
    )
    native_error(response, 400, "invalid_text", "key")


async def test_deep_nesting_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.headers, **JSON}
    for depth in (MAX_JSON_DEPTH + 1, 10_000):
        body = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
        response = await client.post("/api/v1/teams", content=body, headers=headers)
        message = native_error(response, 400, "malformed_json", "body")
        assert f"more than {MAX_JSON_DEPTH} levels" in message
    # At the limit the API reads the body as usual (and names the wrong type).
    body = b'{"name": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    response = await client.post("/api/v1/teams", content=body, headers=headers)
    native_error(response, 422, "validation_error", "name")


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_numbers_that_are_not_json_are_refused(
    client: httpx.AsyncClient, tenant: Tenant, number: bytes
) -> None:
    response = await client.post(
        "/api/v1/teams",
        content=b'{"name": "Ops", "x": ' + number + b"}",
        headers={**tenant.headers, **JSON},
    )
    native_error(response, 400, "malformed_json", "body")


async def test_a_repeated_query_parameter_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get("/api/v1/teams?limit=5&limit=500", headers=tenant.headers)
    message = native_error(response, 422, "validation_error", "limit")
    assert message == "limit: given more than once; give each query parameter once"


async def test_a_plain_request_still_passes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/teams",
        json={"name": "Ops \u2013 on call \u260e", "description": "naïve \u00e9 \U0001f4de"},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["description"] == "naïve \u00e9 \U0001f4de"


# -- every API answers in its own shape -------------------------------------------------------

DEEP = b"[" * 10_000 + b"]" * 10_000
NUL_BODY = b'{"name": "a\\u0000"}'


def _compat(tenant: Tenant, content_type: str = "application/json") -> dict[str, str]:
    return {**tenant.headers, "Content-Type": content_type}


async def test_rootly_answers_in_json_api_errors(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = _compat(tenant, "application/vnd.api+json")
    for body in (DEEP, NUL_BODY):
        response = await client.post("/v1/live_call_routers", content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/vnd.api+json"
        (error,) = response.json()["errors"]
        assert error["status"] == "400"
    response = await client.get(
        "/v1/live_call_routers", params={"filter[name]": "\x00"}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"].startswith("filter[name]: ")


async def test_oneuptime_answers_in_its_error_shape(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {"ApiKey": tenant.key, "Content-Type": "application/json"}
    for body in (DEEP, b'{"data": {"name": "a\\u0000"}}'):
        response = await client.post("/api/incoming-call-policy", content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert set(response.json()) == {"error"}


async def test_voicelink_answers_validation_error(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for body, field in ((DEEP, "body"), (b'{"did": "a\\u0000"}', "did")):
        response = await client.post(
            "/api/v2/voicelink/call-routing", content=body, headers=_compat(tenant)
        )
        assert response.status_code == 400, response.text
        payload = response.json()
        assert payload["success"] is False
        assert (payload["error"]["code"], payload["error"]["field"]) == ("VALIDATION_ERROR", field)


async def test_vcita_answers_in_its_error_shape(client: httpx.AsyncClient, tenant: Tenant) -> None:
    base = "/v3/communication/voice_calls"
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", base, {"content": DEEP}, "INVALID_JSON"),
        ("POST", base, {"content": b'{"title": "\\ud800"}'}, "INVALID_FORMAT"),
        ("GET", f"{base}?page=1&page=2", {}, "INVALID_PARAMETER"),
    ]
    for method, path, kwargs, code in cases:
        response = await client.request(method, path, headers=_compat(tenant), **kwargs)
        assert response.status_code == 400, response.text
        assert (response.json()["success"], response.json()["error_code"]) == (False, code)


async def test_a_twilio_webhook_with_a_nul_is_a_plain_400_with_no_effect(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/webhooks/twilio/voice",
        content=b"CallSid=CA%00x&From=%2B14155550100&To=%2B14155550199",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("CallSid: the value contains a NUL character")
    calls = await client.get("/api/v1/calls", headers=tenant.headers)
    assert calls.json()["total"] == 0
