"""OneUptime's JSON on the wire: request bodies, typed values, dates, label ids."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from callroute.api.schemas import check_instant
from callroute.errors import BadRequest, ValidationFailed

JSON = dict[str, Any]

# OneUptime serialises some scalars as {"_type": "<Type>", "value": ...}; clients send them back
# that way. These are the ones that carry a plain value.
SCALAR_TYPES = frozenset({"ObjectID", "Phone", "DateTime", "Email", "Name", "Text", "Number"})


async def read_body(request: Request) -> JSON:
    """The JSON object sent, or ``{}`` for no body (GET variants usually send none)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("request body is not valid JSON", code="malformed_json") from exc
    if not isinstance(body, dict):
        raise ValidationFailed("request body must be a JSON object", field="body")
    return body


def unwrap(value: Any) -> Any:
    """``{"_type": "ObjectID", "value": "…"}`` → ``"…"``; anything else unchanged."""
    typed = isinstance(value, dict) and set(value) == {"_type", "value"}
    if typed and value["_type"] in SCALAR_TYPES:
        return value["value"]
    return value


def unwrap_all(data: JSON) -> JSON:
    return {key: unwrap(value) for key, value in data.items()}


def parse_date(value: Any, where: str) -> datetime:
    if isinstance(value, str):
        try:
            parsed = check_instant(datetime.fromisoformat(value))
        except ValueError:
            pass
        else:
            # OneUptime keeps dates in UTC; a date without an offset is read as UTC.
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValidationFailed(f"{where}: {value!r} is not an ISO 8601 date", field=where)


def parse_id(value: Any, where: str) -> uuid.UUID:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise ValidationFailed(f"{where}: {value!r} is not an ObjectID (a UUID)", field=where)


def iso(value: datetime) -> str:
    """Dates as OneUptime writes them: UTC, milliseconds, ``Z``."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def label_id(project_id: uuid.UUID, name: str) -> uuid.UUID:
    """A label's stable id: callroute keeps labels as names, OneUptime refers to them by id."""
    return uuid.uuid5(project_id, name)
