"""vcita's error shape, for every failure under the voice-calls prefix.

vcita documents two envelopes: the v3 communication spec's ``{"success", "data"}`` (for
successes only; it describes no error body) and the general developer docs'
``{"status": "Error", "error": "<message>"}`` with an ``error_code``. Errors here use the
general docs' shape, the only one that describes an error, and also carry ``success: false``
so that a client written against the v3 spec, which branches on ``success``, sees a failure
rather than a missing key. ``errors`` maps each field to blame to its messages.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.responses import Response

from callroute.errors import ApiError, RepeatedParameter

PREFIX = "/v3/communication/voice_calls"
# vcita's whole Communication API answers in its shape, so that a client calling one of its
# endpoints callroute does not serve (voice call settings, quotas) gets a 404 it can read.
ERROR_PREFIX = "/v3/communication"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["success", "status", "error", "error_code"],
    "properties": {
        "success": {"const": False},
        "status": {"const": "Error"},
        "error": {"type": "string"},
        "error_code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

# vcita's documented error codes where one fits; the rest spell the failure the same way.
_CODES = {
    "bad_request": "INVALID_PARAMETER",
    "invalid_text": "INVALID_FORMAT",
    "malformed_json": "INVALID_JSON",
    "unauthorized": "UNAUTHORIZED",
    "forbidden": "INSUFFICIENT_PERMISSIONS",
    "not_found": "NOT_FOUND",
    "conflict": "CONFLICT",
    "method_not_allowed": "METHOD_NOT_ALLOWED",
    "payload_too_large": "PAYLOAD_TOO_LARGE",
    "unsupported_media_type": "UNSUPPORTED_MEDIA_TYPE",
    "validation_error": "INVALID_PARAMETER",
    "rate_limited": "RATE_LIMIT_EXCEEDED",
    "database_unavailable": "SERVICE_UNAVAILABLE",
    "service_unavailable": "SERVICE_UNAVAILABLE",
    "internal_error": "INTERNAL_ERROR",
}


class VcitaError(ApiError):
    """An error whose ``code`` is already one of vcita's (``PARAMETER_MISSING``, ...)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str,
        field: str | None = None,
        details: list[dict[str, str | None]] | None = None,
    ) -> None:
        super().__init__(message, field=field, code=code, details=details)
        self.status = status


def invalid(field: str, message: str, code: str = "INVALID_FORMAT") -> VcitaError:
    """A 400: the request is malformed. ``message`` follows the field name."""
    return VcitaError(f"{field} {message}", status=400, code=code, field=field)


def unprocessable(field: str, message: str, code: str) -> VcitaError:
    """A 422: well-formed, but the business's data does not allow it."""
    return VcitaError(f"{field} {message}", status=422, code=code, field=field)


def render(error: ApiError) -> Response:
    code = error.code if error.code.isupper() else _CODES.get(error.code, error.code.upper())
    # A malformed request is vcita's 400 (its 422 means "the business's data does not allow it").
    status = 400 if isinstance(error, RepeatedParameter) else error.status
    body: dict[str, Any] = {
        "success": False,
        "status": "Error",
        "error": error.message,
        "error_code": code,
    }
    problems = error.details or ([{"field": error.field, "message": error.message}])
    fields: dict[str, list[str]] = {}
    for problem in problems:
        if problem.get("field"):
            fields.setdefault(str(problem["field"]), []).append(str(problem["message"]))
    if fields:
        body["errors"] = fields
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}
    return JSONResponse(body, status_code=status, headers=headers)
