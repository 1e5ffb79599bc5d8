"""Every failure under the VoiceLink prefix, in VoiceLink's envelope.

VoiceLink documents ``400 VALIDATION_ERROR`` for invalid input and a ``{"success", ...}``
envelope; the error body's other keys are not documented, so errors read
``{"success": false, "error": {"code", "message", "field"?}}`` with VoiceLink-style upper-case
codes. Every kind of bad input (a wrong type, a missing or unknown field, a value out of range,
a body that is not JSON) is a 400 ``VALIDATION_ERROR`` naming the field.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.responses import Response

from callroute.errors import ApiError

VALIDATION_ERROR = "VALIDATION_ERROR"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"const": False},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "details": {"type": "array"},
            },
        },
    },
}
# Native codes that all mean "the request itself is wrong".
_VALIDATION_CODES = frozenset({"validation_error", "malformed_json", "bad_request", "invalid_text"})


def render_error(error: ApiError) -> Response:
    status, code, field = error.status, error.code.upper(), error.field
    if error.code in _VALIDATION_CODES:
        status, code = 400, VALIDATION_ERROR
    if error.code == "malformed_json":
        field = "body"
    body: dict[str, Any] = {"code": code, "message": error.message}
    if field is not None:
        body["field"] = field
    if error.details:
        body["details"] = error.details
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}
    return JSONResponse({"success": False, "error": body}, status_code=status, headers=headers)
