from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, EmailStr, Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import (
    E164,
    Name,
    RequestModel,
    ResponseModel,
    StrictBool,
    StrictStr,
    TimeZoneName,
)
from callroute.auth.permissions import Role

MAX_PHONES = 10


class PhoneIn(RequestModel):
    number: E164 = Field(description="Any international format; stored as E.164.")
    label: StrictStr = Field(default="mobile", min_length=1, max_length=40)
    verified: StrictBool | None = Field(
        default=None,
        description="Whether the number is confirmed to reach this member. Omitted: unchanged "
        "for a number the member already has, false for a new one.",
    )


class PhoneOut(ResponseModel):
    number: str
    label: str
    position: int = Field(description="Order in which numbers are tried, from 0.")
    verified: bool


SipUri = Annotated[
    StrictStr,
    Field(
        max_length=255,
        pattern=r"^sips?:[^@\s]+@[^@\s]+$",
        description="A SIP address to ring, e.g. sip:ann@pbx.example.com",
    ),
]


class MemberCreate(RequestModel):
    name: Name
    email: EmailStr | None = None
    role: Role = Role.MEMBER
    time_zone: TimeZoneName | None = None
    sip_uri: SipUri | None = None
    phones: list[PhoneIn] = Field(default_factory=list, max_length=MAX_PHONES)


class MemberUpdate(RequestModel):
    """Partial update: only the fields sent change; ``phones`` replaces the whole list."""

    name: Name | None = None
    email: EmailStr | None = None
    role: Role | None = None
    time_zone: TimeZoneName | None = None
    sip_uri: SipUri | None = None
    phones: list[PhoneIn] | None = Field(default=None, max_length=MAX_PHONES)


class MemberOut(ResponseModel):
    id: uuid.UUID
    name: str
    email: str | None
    role: Role
    time_zone: str | None
    sip_uri: str | None
    phones: list[PhoneOut]
    created_at: datetime
    updated_at: datetime


class MemberListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "name")
    role: Role | None = None
    email: StrictStr | None = None
    phone: E164 | None = Field(default=None, description="Members with this number.")
    created_after: AwareDatetime | None = Field(default=None, description="created_at >= this")
    created_before: AwareDatetime | None = Field(default=None, description="created_at < this")
