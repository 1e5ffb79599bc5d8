from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictBool, StrictStr
from callroute.providers.twilio.account import TwilioAccountIn


class ConnectionKind(StrEnum):
    SIMULATOR = "simulator"
    TWILIO = "twilio"


class ConnectionCreate(RequestModel):
    name: Name
    kind: ConnectionKind = Field(description="simulator, or twilio (your own Twilio account)")
    enabled: StrictBool = True
    twilio: TwilioAccountIn | None = Field(
        default=None,
        validate_default=True,  # so that a missing account is reported, naming the field
        description="kind twilio: the account (required for it, refused otherwise)",
    )
    webhook_secret: StrictStr | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="Secret that signs this connection's webhooks; generated when omitted. "
        "Stored encrypted, never returned.",
    )

    @field_validator("twilio")
    @classmethod
    def _account_for_kind(
        cls, value: TwilioAccountIn | None, info: ValidationInfo
    ) -> TwilioAccountIn | None:
        kind = info.data.get("kind")
        if kind is ConnectionKind.TWILIO and value is None:
            raise ValueError("a twilio connection needs its Twilio account")
        if kind is not None and kind is not ConnectionKind.TWILIO and value is not None:
            raise ValueError(f"does not apply to a {kind.value} connection")
        return value


class ConnectionUpdate(RequestModel):
    name: Name | None = None
    enabled: StrictBool | None = None
    twilio: TwilioAccountIn | None = Field(
        default=None, description="Replaces the account's credentials (a twilio connection)."
    )
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
