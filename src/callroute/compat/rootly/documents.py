"""Reading a JSON:API request document: media type, JSON, envelope, then the attributes."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request

from callroute.compat.rootly.errors import MEDIA_TYPE
from callroute.compat.rootly.schemas import RESOURCE_TYPE
from callroute.errors import BadRequest, Conflict, UnsupportedMediaType, ValidationFailed
from callroute.validation import validation_failed

D = TypeVar("D", bound=BaseModel)
# JSON:API's own media type, and plain JSON for clients that send that.
ACCEPTED_MEDIA_TYPES = (MEDIA_TYPE, "application/json")


async def read(request: Request, model: type[D], router_id: str | None = None) -> D:
    """The request's document validated as ``model``. A resource ``type`` other than
    ``live_call_routers``, or an ``id`` other than the URL's, is a 409 as JSON:API says."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in ACCEPTED_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"send the request body as {MEDIA_TYPE}, not {content_type or 'without a type'}",
            field="Content-Type",
        )
    try:
        document = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("request body is not valid JSON", code="malformed_json") from None
    _check_identity(document, router_id)
    try:
        return model.model_validate(document)
    except PydanticValidationError as exc:
        raise validation_failed(exc.errors()) from exc


def _check_identity(document: Any, router_id: str | None) -> None:
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise ValidationFailed(
            'data: required; send {"data": {"type": "live_call_routers", "attributes": {...}}}',
            field="data",
        )
    kind = data.get("type")
    if isinstance(kind, str) and kind != RESOURCE_TYPE:
        raise Conflict(f"data.type: {kind!r} is not {RESOURCE_TYPE!r}", field="data.type")
    given = data.get("id")
    if router_id is None and "id" in data:
        raise ValidationFailed(
            "data.id: ids are chosen by the server; leave it out", field="data.id"
        )
    if router_id is not None and isinstance(given, str) and given != router_id:
        raise Conflict(f"data.id: {given!r} does not match the URL's id", field="data.id")
