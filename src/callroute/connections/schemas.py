from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictBool, StrictStr


class ConnectionKind(StrEnum):
    SIMULATOR = "simulator"


class ConnectionCreate(RequestModel):
    name: Name
    kind: ConnectionKind = Field(
        description="simulator (twilio and vonage come with their provider support)"
    )
    enabled: StrictBool = True
    webhook_secret: StrictStr | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="Secret that signs this connection's webhooks; generated when omitted. "
        "Stored encrypted, never returned.",
    )


class ConnectionUpdate(RequestModel):
    name: Name | None = None
    enabled: StrictBool | None = None
    webhook_secret: StrictStr | None = Field(default=None, min_length=16, max_length=200)


class ConnectionOut(ResponseModel):
    id: uuid.UUID
    name: str
    kind: ConnectionKind
    enabled: bool
    settings: dict[str, Any]
    secrets_set: list[str] = Field(description="Names of the stored secrets (never values).")
    created_at: datetime
    updated_at: datetime


class ConnectionListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
    kind: ConnectionKind | None = None


class ConnectionTestOut(ResponseModel):
    ok: bool
    detail: str
