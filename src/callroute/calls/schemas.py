from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import AwareDatetime, Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import E164, ResponseModel, StrictStr
from callroute.engine.callflow.model import CallStatus


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


class CallDetailOut(CallOut):
    legs: list[LegOut]
    recordings: list[RecordingOut]


class EventOut(ResponseModel):
    sequence: int
    at: datetime
    kind: str
    detail: dict[str, Any]


class CallDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


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


class EventListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("sequence",)
    default_sort: ClassVar[str] = "sequence"
    kind: StrictStr | None = None
