"""Types shared by request and response schemas.

Request models forbid unknown fields and use strict scalars, so ``{"name": 123}`` or
``{"verified": "yes"}`` is a 422 naming the field rather than a silent coercion.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

__all__ = [
    "E164",
    "Name",
    "RequestModel",
    "ResponseModel",
    "StrictBool",
    "StrictInt",
    "StrictStr",
    "TimeZoneName",
    "normalise_phone",
]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
