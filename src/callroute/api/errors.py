"""Turn every failure into the error shape of the API that was called.

The native API answers ``{"error": {"code", "message", "field"?}}``. Compatibility layers
register their own renderer for their path prefix, so a Rootly client gets Rootly's error shape
from the same failure. Nothing here ever lets a raw exception out as a bare 500 page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from callroute.errors import (
    ApiError,
    BadRequest,
    Conflict,
    InternalError,
    MethodNotAllowed,
    NotFound,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from callroute.validation import validation_failed

log = structlog.get_logger(__name__)

Renderer = Callable[[ApiError], Response]
JsonSchema = dict[str, Any]

NATIVE_ERROR_SCHEMA: JsonSchema = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable machine code."},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "The input to blame, when one is."},
                "details": {
                    "anyOf": [
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": ["string", "null"]},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                        {
                            "type": "object",
                            "description": "A configuration document's problems: "
                            "`problems`, each with its `path` in the document and a `message`.",
                        },
                    ]
                },
            },
        }
    },
}


def native_renderer(error: ApiError) -> Response:
    payload: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.field is not None:
        payload["field"] = error.field
    details = error.rendered_details()
    if details:
        payload["details"] = details
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse({"error": payload}, status_code=error.status, headers=headers)


class ErrorRenderers:
    """Renderer per path prefix; the longest matching prefix wins, the native one otherwise."""

    def __init__(self) -> None:
        self._by_prefix: list[tuple[str, Renderer, JsonSchema | None]] = []

    def register(self, prefix: str, renderer: Renderer, schema: JsonSchema | None = None) -> None:
        """``schema`` is the JSON schema of the renderer's error bodies, for the API docs."""
        self._by_prefix.append((prefix, renderer, schema))
        self._by_prefix.sort(key=lambda item: len(item[0]), reverse=True)

    def _entry(self, path: str) -> tuple[str, Renderer, JsonSchema | None] | None:
        for entry in self._by_prefix:
            prefix = entry[0]
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return entry
        return None

    def for_path(self, path: str) -> Renderer:
        entry = self._entry(path)
        return native_renderer if entry is None else entry[1]

    def schema_for(self, path: str) -> JsonSchema:
        entry = self._entry(path)
        if entry is None:
            return NATIVE_ERROR_SCHEMA
        return entry[2] or {"type": "object"}

    def render(self, path: str, error: ApiError) -> Response:
        return self.for_path(path)(error)


def from_validation_error(request: Request, errors: Sequence[Any]) -> ApiError:
    first = dict(errors[0]) if errors else {"type": "value_error", "loc": (), "msg": "invalid"}
    if first.get("type") == "json_invalid":
        return BadRequest("request body is not valid JSON", code="malformed_json")
    if first.get("loc") == ("body",) and first.get("type") in (
        "dict_type",
        "model_attributes_type",
    ):
        content_type = request.headers.get("content-type", "")
        if content_type and "json" not in content_type:
            return UnsupportedMediaType(
                f"send the request body as application/json, not {content_type}", field="body"
            )
    return validation_failed(errors)


def _from_http_exception(request: Request, exc: StarletteHTTPException) -> ApiError:
    if exc.status_code == 404:
        return NotFound(f"no such endpoint: {request.method} {request.url.path}")
    if exc.status_code == 405:
        return MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}")
    error = ApiError(str(exc.detail), code="http_error")
    error.status = exc.status_code
    return error


def is_database_unavailable(exc: BaseException) -> bool:
    """Errors that mean "the database cannot be reached", as opposed to a bad query."""
    if isinstance(exc, sa_exc.TimeoutError | OSError | asyncio.TimeoutError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        text = str(exc.orig).lower()
        markers = ("connect", "connection", "database is locked", "server closed", "timeout")
        return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and any(
            marker in text for marker in markers
        )
    return False


def unexpected_error(exc: BaseException) -> ApiError:
    """What to answer for an exception nothing else handled; logs it."""
    if is_database_unavailable(exc):
        text = str(exc).strip()
        log.warning("database_unavailable", error=text.splitlines()[0] if text else repr(exc))
        return ServiceUnavailable(
            "the database is not reachable; retry shortly",
            code="database_unavailable",
            retry_after=2,
        )
    log.error("unhandled_error", exc_info=exc)
    return InternalError("internal error; the X-Request-ID header identifies it in the logs")


def install_error_handlers(app: FastAPI, renderers: ErrorRenderers) -> None:
    """Answer every failure in the called API's shape, and say so in the OpenAPI document."""
    from callroute.api import openapi

    openapi.install(app, renderers)

    def render(request: Request, error: ApiError) -> Response:
        return renderers.render(request.url.path, error)

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return render(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return render(request, from_validation_error(request, exc.errors()))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        response = render(request, _from_http_exception(request, exc))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_integrity(request: Request, exc: Exception) -> Response:
        # Services check uniqueness first; this only catches a concurrent insert that won.
        log.info("integrity_conflict", error=str(exc).splitlines()[0])
        return render(request, Conflict("conflicts with an existing record; retry the request"))

    async def on_database(request: Request, exc: Exception) -> Response:
        return render(request, unexpected_error(exc))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(sa_exc.IntegrityError, on_integrity)
    # Anything else is caught by the request middleware (callroute.api.middleware), which
    # answers in the same shape and keeps the request id; these are the expected outages.
    app.add_exception_handler(sa_exc.SQLAlchemyError, on_database)
    app.add_exception_handler(OSError, on_database)
    app.add_exception_handler(TimeoutError, on_database)
