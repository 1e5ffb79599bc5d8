"""Types shared by request and response schemas.

Request models forbid unknown fields and use strict scalars, so ``{"name": 123}`` or
``{"verified": "yes"}`` is a 422 naming the field rather than a silent coercion.

Every request model (bodies and query strings alike, :class:`InputRules`) also bounds what
the database and the date arithmetic can take: a date-time is written in ISO 8601 (a bare
number such as ``0`` is not read as 1970) and falls in the years :data:`MIN_YEAR` to
:data:`MAX_YEAR`; an integer fits in 32 bits; a float is finite. Fields narrow these further.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

__all__ = [
    "E164",
    "Name",
    "RequestModel",
    "ResponseModel",
    "StrictBool",
    "StrictInt",
    "StrictStr",
    "TimeZoneName",
    "check_instant",
    "normalise_phone",
]

MIN_YEAR = 1900
MAX_YEAR = 2999
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_DATETIMES = (datetime, AwareDatetime)


def check_instant(value: datetime) -> datetime:
    """``value``, when its year is one callroute reckons with; else a ValueError. The year is
    read before any conversion to UTC, which itself overflows near the ends of the calendar."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must be a date-time in the years {MIN_YEAR} to {MAX_YEAR}")
    return value


class InputRules(BaseModel):
    """The bounds every request model applies to every field (see the module's docstring)."""

    model_config = ConfigDict(allow_inf_nan=False)

    @field_validator("*", mode="wrap")
    @classmethod
    def _bounded(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        if info.field_name in _datetime_fields(cls) and _is_number(value):
            raise ValueError(
                "must be an ISO 8601 date-time such as 2026-03-02T09:00:00Z, not a number"
            )
        result = handler(value)
        if isinstance(result, datetime):
            check_instant(result)
        elif _out_of_range(result):
            raise ValueError(f"must be between {MIN_INT} and {MAX_INT}")
        return result


def _out_of_range(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return not MIN_INT <= value <= MAX_INT


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_NUMBER.match(value)))


@cache
def _datetime_fields(model: type) -> frozenset[str]:
    fields = getattr(model, "model_fields", {})
    return frozenset(name for name, info in fields.items() if _mentions_datetime(info.annotation))


def _mentions_datetime(annotation: Any) -> bool:
    if annotation in _DATETIMES or (
        isinstance(annotation, type) and issubclass(annotation, datetime)
    ):
        return True
    origin = get_origin(annotation)
    if origin is Annotated or origin is Union or type(annotation).__name__ == "UnionType":
        return any(_mentions_datetime(arg) for arg in get_args(annotation))
    return False


class RequestModel(InputRules):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def normalise_phone(value: str) -> str:
    """Parse a phone number written in international form and return it in E.164."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(
            f"{value!r} is not a phone number in international format (+<country code><number>)"
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{value!r} is not a valid phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/London)") from exc
    if value not in _zone_names():
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/London)")
    return value


@cache
def _zone_names() -> frozenset[str]:
    # ZoneInfo also opens files such as "posixrules" or "Factory"; only real zone names count.
    return frozenset(available_timezones()) | {"UTC"}


E164 = Annotated[StrictStr, Field(max_length=40), AfterValidator(normalise_phone)]
TimeZoneName = Annotated[StrictStr, Field(max_length=64), AfterValidator(_time_zone)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=200)]
