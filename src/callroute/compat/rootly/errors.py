"""Every failure under the live call router prefix, in Rootly's JSON:API error shape.

``{"errors": [{"title", "status", "code", "detail"}]}``: the title is the status's standard
phrase, the detail the occurrence's message (naming the attribute at fault), the code
callroute's stable machine code. A request that failed on several attributes gets one error
object for each. Rate limiting answers with Rootly's own 429 body.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse
from starlette.responses import Response

from callroute.errors import ApiError

MEDIA_TYPE = "application/vnd.api+json"
RATE_LIMITED_BODY = {"error": "Rate limit exceeded. Try again later."}


ERROR_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["title", "status", "code", "detail"],
                        "properties": {
                            "title": {"type": "string"},
                            "status": {"type": "string"},
                            "code": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                    },
                }
            },
        },
        {  # the 429
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}},
        },
    ]
}


class JsonApiResponse(JSONResponse):
    media_type = MEDIA_TYPE


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_objects(error: ApiError) -> list[dict[str, Any]]:
    base = {"title": _title(error.status), "status": str(error.status), "code": error.code}
    if not error.details:
        return [{**base, "detail": error.message}]
    return [
        {**base, "detail": f"{d['field']}: {d['message']}" if d.get("field") else d["message"]}
        for d in error.details
    ]


def render_error(error: ApiError) -> Response:
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 429:
        return JsonApiResponse(RATE_LIMITED_BODY, status_code=429, headers=headers)
    return JsonApiResponse(
        {"errors": error_objects(error)}, status_code=error.status, headers=headers
    )
