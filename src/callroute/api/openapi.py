"""The OpenAPI document tells every status an operation can answer, in each API's own shape.

FastAPI documents the success and a 422 it assumes. The failures an operation can really
answer follow from what it is: any request can break the edge's input rules (400) or name a
query parameter twice (422); one with a key can be refused it (401, 403) or throttled (429);
one with an id in its path can name an unknown object (404); a write can conflict (409); a
body can be too large or of the wrong type (413, 415); and any operation that reads the
database can find it away (503). Each compatible API spells these its own way (OneUptime
answers a permission failure with 422, a conflict with 400 ...), so the statuses and the error
body are found by asking the API's own renderer to render each failure.

It also tells how each operation authenticates: every operation that takes a key (the native
API and the compatible ones, which all read it with the same dependency) requires one of the
API-key security schemes, so that a client generator, or Swagger UI's "Authorize" at `/docs`,
sends it; the health endpoints and the provider's webhooks list none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from callroute.api.deps import QUERY_KEY_DEPENDENCIES
from callroute.api.errors import ErrorRenderers
from callroute.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    InvalidText,
    NotFound,
    PayloadTooLarge,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    RepeatedParameter,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)

_ALWAYS = (400, 422, 503)
_AUTHENTICATED = (401, 403, 429)
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BODIES = frozenset({"POST", "PUT", "PATCH"})
# The failures callroute raises, by status: each API's renderer says how it answers them.
_FAILURES: dict[int, tuple[ApiError, ...]] = {
    400: (
        BadRequest("x"),
        BadRequest("x", code="malformed_json", field="body"),
        InvalidText("x", field="x"),
    ),
    401: (Unauthorized("x"),),
    403: (Forbidden("x"),),
    404: (NotFound("x"),),
    409: (Conflict("x"),),
    413: (PayloadTooLarge("x"),),
    415: (UnsupportedMediaType("x"),),
    422: (ValidationFailed("x", field="x"), RepeatedParameter("x", field="x")),
    429: (RateLimited("x", retry_after=1),),
    502: (ProviderUnavailable("x"), ProviderRejected("x")),
    503: (ServiceUnavailable("x", code="database_unavailable", retry_after=1),),
}
_DESCRIPTIONS = {
    400: "Malformed request: a body that is not JSON or nests too deep, text with a NUL "
    "character or a lone surrogate.",
    401: "Missing, unknown, revoked or expired API key.",
    403: "The API key lacks the permission this operation needs.",
    404: "No such object in the key's project.",
    409: "Conflicts with existing data.",
    413: "Request body too large.",
    415: "Request body of another media type than JSON.",
    422: "A field or parameter is missing, unknown, repeated, of the wrong type or out of range.",
    429: "Too many requests, or too many failed authentications; see Retry-After.",
    500: "Failure.",
    502: "The telephony provider could not be reached.",
    503: "The database is not reachable; retry after Retry-After.",
}

# How a key is presented (auth/principal.py, presented_key): either header; calendar feeds
# also take it as ``?key=``, since calendar apps subscribe by URL and cannot send headers.
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "BearerKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key as `Authorization: Bearer crk_...`.",
    },
    "ApiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "ApiKey",
        "description": "An API key as `ApiKey: crk_...`.",
    },
    "KeyQuery": {
        "type": "apiKey",
        "in": "query",
        "name": "key",
        "description": "An API key as `?key=crk_...`, for calendar feeds only.",
    },
}
_KEY_SCHEMES = ("BearerKey", "ApiKeyHeader")
_KEY_OR_QUERY_KEY_SCHEMES = (*_KEY_SCHEMES, "KeyQuery")

# For the operations that call the telephony provider: its absence is a 502 (and its refusal a
# 422, ``provider_rejected``, spelled by each API its own way). Give as the route's responses.
PROVIDER_FAILURES: dict[int | str, dict[str, Any]] = {502: {"description": _DESCRIPTIONS[502]}}


def install(app: FastAPI, renderers: ErrorRenderers) -> None:
    """Make ``app.openapi()`` document each operation's failures (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = document.setdefault("components", {})
            components["securitySchemes"] = {k: dict(v) for k, v in SECURITY_SCHEMES.items()}
            for route in app.routes:
                if isinstance(route, APIRoute) and route.include_in_schema:
                    _document_route(document, route, renderers)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_route(document: dict[str, Any], route: APIRoute, renderers: ErrorRenderers) -> None:
    renderer = renderers.for_path(route.path)
    schema = renderers.schema_for(route.path)
    for method in route.methods or ():
        operation = document["paths"].get(route.path_format, {}).get(method.lower())
        if operation is None:
            continue
        security = _security(route)
        if security:
            operation["security"] = security
        responses = operation.setdefault("responses", {})
        # FastAPI's own 422 (HTTPValidationError) is never answered: errors have our shapes.
        responses.pop("422", None)
        declared = {int(code) for code in route.responses if int(code) >= 400}
        for native in sorted(_statuses(route, method) | declared):
            for error in _FAILURES[native]:
                status, media_type = _rendered(renderer, error)
                entry = responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
                entry.setdefault("content", {})[media_type] = {"schema": schema}


def _key_dependency(route: APIRoute) -> Dependant | None:
    """The dependency that authenticates the route's caller (by convention, ``principal``)."""
    for dependency in route.dependant.dependencies:
        if dependency.name == "principal":
            return dependency
    return None


def _security(route: APIRoute) -> list[dict[str, list[str]]]:
    """The operation's security requirements: any one of them authenticates."""
    dependency = _key_dependency(route)
    if dependency is None:
        return []
    query = dependency.call in QUERY_KEY_DEPENDENCIES
    schemes = _KEY_OR_QUERY_KEY_SCHEMES if query else _KEY_SCHEMES
    return [{scheme: []} for scheme in schemes]


def _statuses(route: APIRoute, method: str) -> set[int]:
    statuses = set(_ALWAYS)
    if _key_dependency(route) is not None:
        statuses.update(_AUTHENTICATED)
    if route.param_convertors or "{" in route.path_format:
        statuses.add(404)
    if method in _WRITES:
        statuses.add(409)
    if method in _BODIES:
        statuses.update((413, 415))
    return statuses


def _rendered(renderer: Callable[[ApiError], Any], error: ApiError) -> tuple[int, str]:
    """The status and media type ``renderer`` answers ``error`` with."""
    response = renderer(error)
    media_type = str(response.media_type or "application/json")
    return int(response.status_code), media_type
