"""SIP trunks: what the API takes and returns (never the password)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictStr

SipUri = Annotated[
    StrictStr,
    Field(
        max_length=255, pattern=r"^sips?:[^\s]+$", description="e.g. sip:support@pbx.example.com"
    ),
]


class TrunkCreate(RequestModel):
    name: Name
    uri: SipUri
    username: StrictStr | None = Field(default=None, max_length=200)
    password: StrictStr | None = Field(
        default=None, max_length=200, description="Stored encrypted, never returned."
    )
    description: StrictStr = Field(default="", max_length=2000)


class TrunkUpdate(RequestModel):
    name: Name | None = None
    uri: SipUri | None = None
    username: StrictStr | None = Field(default=None, max_length=200)
    password: StrictStr | None = Field(default=None, max_length=200)
    description: StrictStr | None = Field(default=None, max_length=2000)


class TrunkOut(ResponseModel):
    id: uuid.UUID
    handle: int = Field(description="Integer id, unique in the project (VoiceLink SIP trunk id).")
    name: str
    uri: str
    username: str | None
    password_set: bool
    description: str
    created_at: datetime
    updated_at: datetime


class TrunkListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
