from __future__ import annotations

import uuid
from datetime import datetime, time
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import (
    Name,
    RequestModel,
    ResponseModel,
    StrictInt,
    StrictStr,
    TimeZoneName,
)
from callroute.engine.schedule import RestrictionKind, RotationUnit

MAX_LAYERS = 10
MAX_LAYER_MEMBERS = 500
MAX_RESTRICTIONS = 20


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class RestrictionIn(RequestModel):
    kind: RestrictionKind = Field(description="daily: every day; weekly: once a week")
    start_time: time = Field(description="Local time the window opens, e.g. 09:00.")
    duration_minutes: StrictInt = Field(
        ge=1, le=7 * 24 * 60, description="daily: up to 1440; weekly: up to 10080."
    )
    start_day: Weekday | None = Field(default=None, description="weekly windows only")


class RestrictionOut(ResponseModel):
    kind: RestrictionKind
    start_time: str
    duration_minutes: int
    start_day: Weekday | None = None


class LayerIn(RequestModel):
    name: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    start: AwareDatetime = Field(description="When the rotation begins (the first member's turn).")
    end: AwareDatetime | None = Field(default=None, description="When the layer stops applying.")
    rotation_length: StrictInt = Field(ge=1, le=1000)
    rotation_unit: RotationUnit
    handoff_time: time | None = Field(
        default=None, description="Local wall-clock time of hand-offs; days/weeks rotations."
    )
    member_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=MAX_LAYER_MEMBERS, description="Rotation order; repeats allowed."
    )
    restrictions: list[RestrictionIn] = Field(default_factory=list, max_length=MAX_RESTRICTIONS)


class LayerOut(ResponseModel):
    id: uuid.UUID
    name: str
    start: datetime = Field(validation_alias="starts_at")
    end: datetime | None = Field(validation_alias="ends_at")
    rotation_length: int
    rotation_unit: RotationUnit
    handoff_time: str | None
    member_ids: list[uuid.UUID]
    restrictions: list[RestrictionOut]


class ScheduleCreate(RequestModel):
    name: Name
    description: StrictStr = Field(default="", max_length=2000)
    time_zone: TimeZoneName
    layers: list[LayerIn] = Field(
        default_factory=list,
        max_length=MAX_LAYERS,
        description="Later layers win over earlier ones.",
    )


class ScheduleUpdate(RequestModel):
    name: Name | None = None
    description: StrictStr | None = Field(default=None, max_length=2000)
    time_zone: TimeZoneName | None = None
    layers: list[LayerIn] | None = Field(default=None, max_length=MAX_LAYERS)


class ScheduleOut(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    time_zone: str
    layers: list[LayerOut]
    created_at: datetime
    updated_at: datetime


class ScheduleListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
    name: StrictStr | None = None
    member_id: uuid.UUID | None = Field(default=None, description="Schedules rotating this member.")


class OverrideIn(RequestModel):
    member_id: uuid.UUID
    start: AwareDatetime
    end: AwareDatetime


class OverrideOut(ResponseModel):
    id: uuid.UUID
    schedule_id: uuid.UUID
    member_id: uuid.UUID
    start: datetime = Field(validation_alias="starts_at")
    end: datetime = Field(validation_alias="ends_at")
    created_at: datetime


class OverrideListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "starts_at")
    default_sort: ClassVar[str] = "starts_at"
    member_id: uuid.UUID | None = None
    ends_after: AwareDatetime | None = Field(default=None, description="end > this")
    starts_before: AwareDatetime | None = Field(default=None, description="start < this")


class OnCallQuery(RequestModel):
    at: AwareDatetime | None = Field(default=None, description="Default: now.")


class MemberRef(ResponseModel):
    id: uuid.UUID
    name: str


class ShiftOut(ResponseModel):
    member: MemberRef
    start: datetime
    end: datetime


class OnCallOut(ResponseModel):
    at: datetime
    member: MemberRef | None = Field(description="null when nobody is on call")
    shift: ShiftOut | None = Field(description="the shift that covers `at`, when there is one")


class ShiftsQuery(RequestModel):
    start: AwareDatetime = Field(alias="from")
    end: AwareDatetime = Field(alias="to")


class ShiftsOut(ResponseModel):
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    shifts: list[ShiftOut]


class CalendarQuery(RequestModel):
    start: AwareDatetime | None = Field(
        default=None, alias="from", description="Default: 7 days ago."
    )
    end: AwareDatetime | None = Field(
        default=None, alias="to", description="Default: 90 days ahead."
    )
    key: StrictStr | None = Field(
        default=None,
        description="An API key, for calendar apps that cannot send headers (subscribe by URL).",
    )
