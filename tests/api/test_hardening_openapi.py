"""Every operation of the OpenAPI document (native and compatible APIs), sent the inputs that
used to break the server: NUL characters, lone surrogates, deep nesting, huge numbers and
far-past dates, in each of its path parameters, query parameters and body fields. On both
databases: no response is a 5xx, and every status is one the document lists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.openapi_harness import JSON, PARAM, Harness, check

DEEP = "[" * 10_000 + "]" * 10_000
# Values as JSON text, so that surrogates and non-finite numbers can be written.
BAD_JSON_VALUES = {
    "nul": '"a\\u0000b"',
    "surrogate": '"\\ud8cc"',
    "deep": DEEP,
    "huge": "1180591620717411303424",
    "huge-negative": "-1180591620717411303424",
    "far-past": '"0001-01-01T00:00:00Z"',
    "far-past-offset": '"0001-01-01T00:00:00+01:00"',
    "overflowing-float": "1e999",
}
BAD_QUERY_VALUES = {
    "nul": "a\x00b",
    "huge": "1180591620717411303424",
    "far-past": "0001-01-01T00:00:00+01:00",
    "bare-number": "0",
}
# Bodies for operations that read their body themselves (not described in the document).
GENERIC_FIELDS = ("name", "data", "query", "skip", "limit", "title", "did", "greeting")


@pytest.fixture
def harness(db_url: str) -> Iterator[Harness]:
    h = Harness(db_url)
    yield h
    h.close()


def body_fields(document: JSON, operation: JSON) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        schema = _resolve(document, media.get("schema", {}))
        if schema.get("properties"):
            return sorted(schema["properties"])
    return []


def _resolve(document: JSON, schema: JSON) -> JSON:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    for alternative in schema.get("anyOf", ()):
        if "$ref" in alternative or "properties" in alternative:
            return _resolve(document, alternative)
    return schema


def query_parameters(operation: JSON) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


def media_type(operation: JSON, path: str) -> str:
    content = operation.get("requestBody", {}).get("content", {})
    if content:
        return str(next(iter(content)))
    return (
        "application/vnd.api+json"
        if path.startswith("/v1/live_call_routers")
        else ("application/json")
    )


def cases(h: Harness, method: str, path: str, operation: JSON) -> Iterator[tuple[str, Any]]:
    """(url, request keyword arguments) for each bad input this operation can be sent."""
    for name in PARAM.findall(path):
        yield h.fill(path, **{name: "a%00b"}), {}
    url = h.fill(path)
    for name in query_parameters(operation):
        for value in BAD_QUERY_VALUES.values():
            yield url, {"params": {name: value}}
    yield url, {"params": {"limit": "1", "x": "1"}, "query": "limit=1&limit=2"}
    if method not in ("POST", "PUT", "PATCH"):
        return
    headers = {"Content-Type": media_type(operation, path)}
    fields = body_fields(h.document, operation) or list(GENERIC_FIELDS)
    for name in fields:
        for value in BAD_JSON_VALUES.values():
            text = '{"%s": %s}' % (name, value)  # noqa: UP031  (JSON text, braces and all)
            yield url, {"content": text.encode(), "headers": headers}
            wrapped = '{"data": {"type": "x", "attributes": {"%s": %s}}}' % (name, value)  # noqa: UP031
            yield url, {"content": wrapped.encode(), "headers": headers}
    yield url, {"content": DEEP.encode(), "headers": headers}
    yield url, {"content": b"NaN", "headers": headers}


def test_no_bad_input_gets_a_5xx_or_an_undocumented_status(harness: Harness) -> None:
    operations = harness.operations()
    assert len(operations) > 140  # every API's operations are in the document
    for method, path, operation in operations:
        for url, kwargs in cases(harness, method, path, operation):
            raw_query = kwargs.pop("query", None)
            if raw_query is not None:
                kwargs.pop("params")
                url = f"{url}?{raw_query}"
            response = harness.send(method, url, **kwargs)
            sent = {k: v if k != "content" else v[:80] for k, v in kwargs.items()}
            check(operation, method, path, response, sent)
    total = sum(harness.sent.values())
    assert total > 3000
    print(f"\n{total} requests to {len(operations)} operations: no 5xx, none undocumented")


def test_the_document_tells_each_api_s_error_shape_and_media_type(harness: Harness) -> None:
    paths = harness.document["paths"]
    rootly = paths["/v1/live_call_routers/{router_id}"]["get"]["responses"]
    assert set(rootly["200"]["content"]) == {"application/vnd.api+json"}
    assert set(rootly["404"]["content"]) == {"application/vnd.api+json"}
    assert "errors" in json.dumps(rootly["404"]["content"]["application/vnd.api+json"])
    native = paths["/api/v1/api-keys/{key_id}"]["delete"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422", "429", "503"} <= set(native)
    assert "HTTPValidationError" not in json.dumps(harness.document["paths"])
    oneuptime = paths["/api/incoming-call-policy"]["post"]["responses"]
    assert "403" not in oneuptime  # OneUptime answers a permission failure with 422
    assert {"400", "401", "422"} <= set(oneuptime)
    test = paths["/api/v1/connections/{connection_id}/test"]["post"]["responses"]
    assert "502" in test
