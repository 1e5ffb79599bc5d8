"""Reading vcita requests: JSON bodies and the list's page, sort and bracket filters.

Bodies are parsed here rather than by the framework so that every mistake is answered in
vcita's shape with a message that starts with the field's name, e.g. ``rate must be a
string such as "0.05"; a number is not accepted``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from callroute.api.schemas import MAX_YEAR, MIN_YEAR, check_instant
from callroute.compat.vcita.errors import VcitaError, invalid
from callroute.compat.vcita.schemas import Direction, VoiceCallStatus
from callroute.ids import parse_id

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", VoiceCallStatus, Direction)

_AMOUNTS = {"rate", "price"}


async def read_body(request: Request, model: type[M]) -> M:
    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type.lower():
        raise VcitaError(
            f"send the request body as application/json, not {content_type}",
            status=415,
            code="UNSUPPORTED_MEDIA_TYPE",
        )
    raw = await request.body()
    if not raw.strip():
        raise VcitaError("request body is required", status=400, code="PARAMETER_MISSING")
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VcitaError("request body is not valid JSON", status=400, code="INVALID_JSON") from exc
    if not isinstance(data, dict):
        raise VcitaError(
            "request body must be a JSON object", status=400, code="INVALID_FORMAT", field="body"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _from_pydantic(exc) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _from_pydantic(exc: ValidationError) -> VcitaError:
    problems = [_problem(dict(error)) for error in exc.errors()]
    details: list[dict[str, str | None]] = [
        {"field": name, "message": f"{name} {text}"} for name, text, _code in problems
    ]
    name, _text, code = problems[0]
    message = ", ".join(str(d["message"]) for d in details)
    return VcitaError(message, status=400, code=code, field=name, details=details)


def _problem(error: dict[str, Any]) -> tuple[str, str, str]:
    """(field, what is wrong, vcita error code) of one pydantic error."""
    loc = [part for part in error.get("loc", ()) if isinstance(part, str)]
    name = loc[0] if loc else "body"
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return name, "is required", "PARAMETER_MISSING"
    if kind == "extra_forbidden":
        return name, "is not a field of this request", "UNKNOWN_PARAMETER"
    if kind == "enum":
        return (
            name,
            f"must be one of {ctx.get('expected')} (values are case-sensitive), "
            f"not {error.get('input')!r}",
            "INVALID_ENUM_VALUE",
        )
    if kind == "string_type":
        if name in _AMOUNTS:
            return (
                name,
                'must be a string such as "0.05"; a number is not accepted',
                "INVALID_FORMAT",
            )
        return name, f"must be a string, not {_json_type(error.get('input'))}", "INVALID_FORMAT"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        unit = " of seconds" if name == "duration" else ""
        return name, f"must be a whole number{unit}", "INVALID_FORMAT"
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = ctx.get("ge", ctx.get("le"))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return name, f"must be {word} {limit}", "VALUE_OUT_OF_RANGE"
    if kind == "string_too_short":
        return name, "must not be empty", "VALUE_OUT_OF_RANGE"
    if kind == "string_too_long":
        return name, f"must be at most {ctx.get('max_length')} characters", "VALUE_OUT_OF_RANGE"
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return name, message, "INVALID_FORMAT"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string"


# -- the list's query string -----------------------------------------------------------------

SORTABLE = ("created_at", "updated_at")
_FILTER = re.compile(r"^filter\[([a-z_]+)\](?:\[([a-z]+)\])?$")
_DATE_OPS = ("eq", "gt", "gte", "lt", "lte")
_FILTERABLE: dict[str, tuple[str, ...]] = {
    "created_at": _DATE_OPS,
    "updated_at": _DATE_OPS,
    "status": ("eq",),
    "direction": ("eq",),
    "staff_uid": ("eq",),
    "client_uid": ("eq",),
    "handled_by_staff_uid": ("eq",),
    "from_number": ("eq",),
    "to_number": ("eq",),
    "external_uuid": ("eq",),
}


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any  # datetime; list of enums; list of ids (None: an id that cannot exist); str


@dataclass(frozen=True)
class ListParams:
    page: int = 1
    per_page: int = 25
    sort: tuple[tuple[str, bool], ...] = (("updated_at", True),)  # (field, descending)
    filters: tuple[Filter, ...] = field(default_factory=tuple)


def list_params(request: Request) -> ListParams:
    seen: set[str] = set()
    page, per_page, sort = 1, 25, ListParams().sort
    filters: list[Filter] = []
    for name, value in request.query_params.multi_items():
        if name in seen:
            raise invalid(name, "is given more than once", "INVALID_PARAMETER")
        seen.add(name)
        if name == "page":
            page = _bounded_int(name, value, 1, 10000)
        elif name == "per_page":
            per_page = _bounded_int(name, value, 1, 100)
        elif name == "sort":
            sort = _sort(value)
        elif match := _FILTER.match(name):
            filters.append(_filter(name, match.group(1), match.group(2) or "eq", value))
        else:
            raise invalid(
                name,
                "is not a parameter of this list (page, per_page, sort, filter[...])",
                "UNKNOWN_PARAMETER",
            )
    return ListParams(page=page, per_page=per_page, sort=sort, filters=tuple(filters))


def _bounded_int(name: str, value: str, low: int, high: int) -> int:
    if not value.isdigit():
        raise invalid(name, f"must be a whole number, not {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise invalid(name, f"must be between {low} and {high}", "VALUE_OUT_OF_RANGE")
    return number


def _sort(text: str) -> tuple[tuple[str, bool], ...]:
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        name, _, order = part.strip().partition(":")
        if name not in SORTABLE:
            raise invalid(
                "sort", f"cannot sort by {name!r}; sortable fields: {', '.join(SORTABLE)}"
            )
        if order not in ("asc", "desc"):
            raise invalid("sort", f"order of {name} must be asc or desc, as in {name}:asc")
        if any(key == name for key, _ in keys):
            raise invalid("sort", f"names {name} twice")
        keys.append((name, order == "desc"))
    return tuple(keys)


def _filter(param: str, name: str, op: str, value: str) -> Filter:
    ops = _FILTERABLE.get(name)
    if ops is None:
        allowed = ", ".join(_FILTERABLE)
        raise invalid(
            param, f"filters on an unknown field; filterable: {allowed}", "UNKNOWN_PARAMETER"
        )
    if op not in ops:
        raise invalid(param, f"is not a filter; {name} takes {', '.join(ops)}", "UNKNOWN_PARAMETER")
    if name in ("created_at", "updated_at"):
        return Filter(name, op, _timestamp(param, value))
    if name == "status":
        return Filter(name, op, [_enum(param, VoiceCallStatus, v) for v in value.split(",")])
    if name == "direction":
        return Filter(name, op, [_enum(param, Direction, v) for v in value.split(",")])
    if name in ("staff_uid", "client_uid", "handled_by_staff_uid"):
        return Filter(name, op, [parse_id(v) for v in value.split(",")])
    return Filter(name, op, value)


def _timestamp(param: str, value: str) -> datetime:
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise invalid(
            param, f"must be a date (2026-03-02) or an ISO 8601 time, not {value!r}"
        ) from None
    try:
        check_instant(moment)
    except ValueError as exc:
        raise invalid(param, str(exc), "VALUE_OUT_OF_RANGE") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _enum(param: str, kind: type[E], value: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise invalid(
            param,
            f"must be one of {allowed} (values are case-sensitive), not {value!r}",
            "INVALID_ENUM_VALUE",
        ) from None


# -- the stats report's query string ---------------------------------------------------------


@dataclass(frozen=True)
class StatsParams:
    start_date: date | None
    end_date: date | None
    statuses: tuple[VoiceCallStatus, ...]


def stats_params(request: Request) -> StatsParams:
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in ("start_date", "end_date", "status"):
            raise invalid(
                name,
                "is not a parameter of this report (start_date, end_date, status)",
                "UNKNOWN_PARAMETER",
            )
        if name in values:
            raise invalid(name, "is given more than once", "INVALID_PARAMETER")
        values[name] = value
    start, end = _day(values, "start_date"), _day(values, "end_date")
    if start and end and start > end:
        raise invalid("end_date", f"must not be before start_date ({start.isoformat()})")
    statuses = [
        _enum("status", VoiceCallStatus, v).canonical
        for v in values.get("status", "").split(",")
        if "status" in values
    ]
    return StatsParams(start, end, tuple(dict.fromkeys(statuses)))


def _day(values: dict[str, str], name: str) -> date | None:
    if name not in values:
        return None
    text = values[name]
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if MIN_YEAR <= day.year <= MAX_YEAR:
                return day
            raise invalid(
                name, f"must be in the years {MIN_YEAR} to {MAX_YEAR}", "VALUE_OUT_OF_RANGE"
            )
    raise invalid(name, f"must be a date written YYYY-MM-DD, not {text!r}")
