"""VoiceLink call-routing request and response bodies.

Types and ranges are checked here (strict integers: no booleans, strings or floats; ids >= 1;
only the documented mode values); the rules that tie fields together (one DID, the id each
mode needs) are checked by the service, which names the field at fault.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import IntEnum
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, Field

from callroute.api.schemas import E164, RequestModel, StrictInt, StrictStr, normalise_phone

T = TypeVar("T")

# Handles are 32-bit integers: a larger id cannot name anything.
MAX_ID = 2**31 - 1


class InboundMode(IntEnum):
    MOBILE = 1
    SIP = 2
    BOT = 3


class OutboundMode(IntEnum):
    SIP = 2
    BOT = 3
    ONLY_ANSWER = 4


def _one_of(names: dict[int, str]) -> AfterValidator:
    allowed = ", ".join(f"{value} ({name})" for value, name in names.items())

    def check(value: int) -> int:
        if value not in names:
            raise ValueError(f"must be one of {allowed}")
        return value

    return AfterValidator(check)


def _did_number(value: str) -> str:
    # VoiceLink shows DIDs with or without the leading "+"; both name the same number.
    text = value.strip()
    try:
        return normalise_phone(text if text.startswith("+") else f"+{text}")
    except ValueError:
        raise ValueError(
            f"{value!r} is not a DID number (international form, with or without the +)"
        ) from None


Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Inbound = Annotated[StrictInt, _one_of({1: "mobile", 2: "SIP", 3: "WebSocket bot"})]
Outbound = Annotated[StrictInt, _one_of({2: "SIP", 3: "WebSocket bot", 4: "only-answer"})]
Status = Annotated[StrictInt, _one_of({1: "active", 0: "inactive"})]
DidNumber = Annotated[StrictStr, Field(min_length=1, max_length=40), AfterValidator(_did_number)]


class RoutingFields(RequestModel):
    did_id: Id | None = Field(default=None, description="DID (phone number handle).")
    did_number: DidNumber | None = Field(default=None, description="Or the DID's number.")
    for_inbound_call: Inbound
    for_outbound_call: Outbound
    inbound_websocket_bot_id: Id | None = None
    inbound_sip_trunk_id: Id | None = None
    outbound_websocket_bot_id: Id | None = None
    outbound_sip_trunk_id: Id | None = None
    mobile_number: E164 | None = Field(
        default=None,
        description="callroute extension: the number mode 1 forwards to (default: ring the "
        "DID's owner).",
    )
    connection_id: uuid.UUID | None = None
    connection_id_legacy: uuid.UUID | None = Field(default=None, alias="connectionId")


class RoutingCreate(RoutingFields):
    status: Status | None = Field(default=None, description="1 active (default), 0 inactive.")


class RoutingReplace(RoutingFields):
    status: Status


class RoutingOut(BaseModel):
    """A routing as callroute holds it: what was written, plus the ids it resolved to."""

    id: int = Field(description="The routing id (the router's handle).")
    router_id: uuid.UUID = Field(description="The same router in /api/v1/routers.")
    did_id: int
    did_number: str
    connection_id: uuid.UUID
    for_inbound_call: int | None = Field(
        description="null when the router does something VoiceLink cannot express (a menu, "
        "ringing a team ...)."
    )
    for_outbound_call: int | None = Field(description="null when the router places no calls.")
    inbound_websocket_bot_id: int | None
    inbound_sip_trunk_id: int | None
    outbound_websocket_bot_id: int | None
    outbound_sip_trunk_id: int | None
    mobile_number: str | None
    status: int
    created_at: datetime
    updated_at: datetime


class Envelope(BaseModel, Generic[T]):
    success: Literal[True] = True
    data: T
