from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import (
    E164,
    RequestModel,
    ResponseModel,
    StrictBool,
    StrictInt,
    StrictStr,
)
from callroute.engine.callflow.model import CallStatus
from callroute.models.call import CallOrigin

_DECIMAL = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,10})?$")


def _decimal(value: str) -> str:
    if not _DECIMAL.match(value):
        raise ValueError(f"{value!r} is not a decimal number written as a string, e.g. '0.05'")
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) < 11 or " " in value:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


# Money is text, never a float: '0.0085' must read back as '0.0085'.
DecimalText = Annotated[StrictStr, Field(max_length=32), AfterValidator(_decimal)]
HttpUrlText = Annotated[StrictStr, Field(max_length=1000), AfterValidator(_http_url)]


class CallDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


ACTIVE_STATUSES = frozenset(
    {CallStatus.RINGING, CallStatus.IN_MENU, CallStatus.RINGING_RESPONDERS, CallStatus.ANSWERED}
)
ANSWERED_STATUSES = frozenset({CallStatus.ANSWERED, CallStatus.COMPLETED})
# A call that reached nobody is the one somebody should call back: only these can be handled.
HANDLEABLE_STATUSES = frozenset({CallStatus.MISSED, CallStatus.VOICEMAIL, CallStatus.FAILED})


class ExternalRefs(RequestModel):
    """What the outside system that logged or manages a call calls it."""

    source_id: StrictStr | None = Field(
        default=None, min_length=1, max_length=255, description="The call's id at its source."
    )
    app_name: StrictStr | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The application that originated or manages the call.",
    )
    app_url: HttpUrlText | None = Field(
        default=None, description="A page with the call's details in that application."
    )
    recording_id: StrictStr | None = Field(
        default=None, min_length=1, max_length=255, description="The recording's id there."
    )


class ExternalRefsOut(ResponseModel):
    source_id: str | None = None
    app_name: str | None = None
    app_url: str | None = None
    recording_id: str | None = None


class LegOut(ResponseModel):
    id: uuid.UUID
    leg_id: str = Field(validation_alias="leg_key")
    member_id: uuid.UUID | None
    member_name: str
    number: str
    level: int = Field(description="0-based escalation level")
    round: int = Field(description="0-based pass over the policy")
    status: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    provider_leg_id: str | None = Field(description="The provider's id of this leg's call.")
    price: str | None
    price_unit: str | None


class RecordingOut(ResponseModel):
    id: uuid.UUID
    kind: str
    url: str
    duration_seconds: int
    transcript: str | None
    created_at: datetime


class CallOut(ResponseModel):
    id: uuid.UUID
    direction: CallDirection
    from_number: str = Field(serialization_alias="from")
    to_number: str = Field(serialization_alias="to")
    router_id: uuid.UUID | None
    connection_id: uuid.UUID | None
    provider: str
    provider_call_id: str
    status: CallStatus
    reason: str | None
    contact_id: uuid.UUID | None
    answered_by_id: uuid.UUID | None = Field(serialization_alias="answered_by")
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    price: str | None = Field(description="Decimal as a string, e.g. '0.0085'")
    price_unit: str | None
    origin: CallOrigin
    member_id: uuid.UUID | None
    summary: str | None
    handled_by_id: uuid.UUID | None = Field(serialization_alias="handled_by")
    handled_at: datetime | None
    rate: str | None
    external: ExternalRefsOut | None


class CallDetailOut(CallOut):
    legs: list[LegOut]
    recordings: list[RecordingOut]


class EventOut(ResponseModel):
    sequence: int
    at: datetime
    kind: str
    detail: dict[str, Any]


class CallListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("started_at",)
    default_sort: ClassVar[str] = "-started_at"
    router_id: uuid.UUID | None = None
    direction: CallDirection | None = None
    status: CallStatus | None = None
    number: E164 | None = Field(default=None, description="Calls from or to this number.")
    started_after: AwareDatetime | None = Field(default=None, description="started_at >= this")
    started_before: AwareDatetime | None = Field(default=None, description="started_at < this")
    answered_by: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    origin: CallOrigin | None = None
    handled: bool | None = Field(
        default=None,
        description="true: handled calls; false: missed, voicemail or failed calls not yet "
        "handled (the call-back list).",
    )


class _CallWrite(RequestModel):
    member_id: uuid.UUID | None = Field(
        default=None, description="The member the call was with (whose line, or who dialled)."
    )
    contact_id: uuid.UUID | None = None
    summary: StrictStr | None = Field(default=None, max_length=10000)
    handled_by: uuid.UUID | None = Field(
        default=None, description="The member who followed the call up (with `handled`)."
    )
    price: DecimalText | None = None
    price_unit: StrictStr | None = Field(default=None, pattern="^[A-Z]{3}$")
    rate: DecimalText | None = Field(
        default=None, description="Billing rate as a decimal string, e.g. '0.05'."
    )
    external: ExternalRefs | None = None


class CallLogCreate(_CallWrite):
    """A call handled by another phone system, written here so the record is complete."""

    direction: CallDirection
    from_number: E164 = Field(alias="from")
    to_number: E164 = Field(alias="to")
    status: CallStatus
    started_at: AwareDatetime | None = Field(default=None, description="Default: now.")
    duration_seconds: StrictInt | None = Field(default=None, ge=0, le=172800)
    answered_by: uuid.UUID | None = None
    handled: StrictBool = False
    provider: StrictStr = Field(default="external", pattern="^[a-z0-9_-]{1,20}$")
    provider_call_id: StrictStr = Field(
        default="",
        max_length=100,
        description="The provider's id of the call; unique among the project's logged calls.",
    )


class CallUpdate(_CallWrite):
    """Follow-up of any call; a logged call's own record can be corrected too."""

    # Fields of the call's own record: written by the engine for a routed call.
    RECORD_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "direction",
            "from_number",
            "to_number",
            "status",
            "started_at",
            "duration_seconds",
            "answered_by",
            "provider",
            "provider_call_id",
        }
    )
    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {
            "member_id",
            "contact_id",
            "summary",
            "handled_by",
            "price",
            "price_unit",
            "rate",
            "external",
            "duration_seconds",
            "answered_by",
        }
    )

    direction: CallDirection | None = None
    from_number: E164 | None = Field(default=None, alias="from")
    to_number: E164 | None = Field(default=None, alias="to")
    status: CallStatus | None = None
    started_at: AwareDatetime | None = None
    duration_seconds: StrictInt | None = Field(default=None, ge=0, le=172800)
    answered_by: uuid.UUID | None = None
    handled: StrictBool | None = Field(
        default=None,
        description="true marks a missed, voicemail or failed call as followed up (now); "
        "false clears it.",
    )
    provider: StrictStr | None = Field(default=None, pattern="^[a-z0-9_-]{1,20}$")
    provider_call_id: StrictStr | None = Field(default=None, max_length=100)


class EventListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("sequence",)
    default_sort: ClassVar[str] = "sequence"
    kind: StrictStr | None = None
