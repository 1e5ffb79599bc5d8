"""OneUptime's error shapes, for every failure under its paths.

OneUptime answers a thrown exception with ``{"error": "<message>"}`` and the failures its
middleware and router report (authentication, unknown route) with ``{"message": "<message>"}``.
A permission failure is its ``NotAuthorizedException``: status 422. Validation failures are
its ``BadDataException``: 400.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.responses import Response

from callroute.errors import ApiError

# OneUptime's whole REST API is under /api, so a client calling a model callroute does not serve
# (/api/label/get-list) gets OneUptime's 404. The native /api/v1 and VoiceLink's
# /api/v2/voicelink are registered under longer prefixes, which win.
ERROR_PREFIX = "/api"

ERROR_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
        {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
    ]
}

# callroute's statuses that OneUptime spells differently.
_STATUS = {
    403: 422,  # permission denied: NotAuthorizedException
    409: 400,  # a conflict with existing data is "bad data" to OneUptime
    415: 400,
    422: 400,  # validation: BadDataException
}
_MESSAGE_SHAPED = {401}  # answered by OneUptime's middleware, not by a thrown exception


class NotAuthorized(ApiError):
    """OneUptime's permission failure: the key is valid but may not do this."""

    status = 422
    code = "not_authorized"


def _unknown_route(error: ApiError) -> str | None:
    """``METHOD /path`` when the request matched no route (callroute's 404 or 405)."""
    if error.code == "not_found" and error.message.startswith("no such endpoint: "):
        return error.message.removeprefix("no such endpoint: ")
    if error.code == "method_not_allowed":
        method, _, path = error.message.partition(" is not allowed on ")
        return f"{method} {path}"
    return None


def render(error: ApiError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}
    route = _unknown_route(error)
    if route is not None:
        # Express answers a path or method it does not serve with its catch-all 404.
        return JSONResponse({"message": f"Page not found - {route}"}, status_code=404)
    if error.status >= 500 and error.status != 503:
        return JSONResponse({"error": "Server Error"}, status_code=500)
    key = "message" if error.status in _MESSAGE_SHAPED else "error"
    # A permission failure is already OneUptime's own 422; callroute's 422 is bad data.
    status = (
        error.status
        if isinstance(error, NotAuthorized)
        else _STATUS.get(error.status, error.status)
    )
    return JSONResponse({key: error.message}, status_code=status, headers=headers)
