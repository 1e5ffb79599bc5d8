from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field, model_validator

from callroute.api.pagination import ListQuery
from callroute.api.schemas import (
    E164,
    RequestModel,
    ResponseModel,
    StrictBool,
    StrictStr,
)
from callroute.providers.base import NumberType


class AvailableQuery(RequestModel):
    connection_id: uuid.UUID
    country: StrictStr = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 country code")
    type: NumberType = NumberType.LOCAL
    contains: StrictStr | None = Field(default=None, pattern=r"^\+?[0-9]{1,15}$")
    area_code: StrictStr | None = Field(
        default=None, pattern=r"^[0-9]{2,4}$", description="Area code (where numbers have one)."
    )
    limit: int = Field(default=10, ge=1, le=50)


class AvailableOut(ResponseModel):
    number: str
    country: str
    type: NumberType
    capabilities: list[str]


class NumberClaim(RequestModel):
    connection_id: uuid.UUID
    number: E164 | None = Field(default=None, description="A number from the search.")
    country: StrictStr | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="Or: any available number of this country."
    )
    type: NumberType = NumberType.LOCAL
    label: StrictStr = Field(default="", max_length=200)
    router_id: uuid.UUID | None = None
    existing: StrictBool = Field(
        default=False,
        description="The number is already in the provider account: take it over (point its "
        "webhooks at callroute) instead of buying it.",
    )
    owner_id: uuid.UUID | None = Field(
        default=None, description="The member the number belongs to (rung by owner routing)."
    )

    @model_validator(mode="after")
    def _number_or_country(self) -> NumberClaim:
        if (self.number is None) == (self.country is None):
            raise ValueError("give exactly one of `number` or `country`")
        if self.existing and self.number is None:
            raise ValueError("existing: name the `number` to take over")
        return self


class NumberUpdate(RequestModel):
    label: StrictStr | None = Field(default=None, max_length=200)
    router_id: uuid.UUID | None = Field(default=None, description="null detaches the number.")
    owner_id: uuid.UUID | None = Field(default=None, description="null clears the owner.")


class NumberOut(ResponseModel):
    id: uuid.UUID
    handle: int = Field(description="Integer id, unique in the project (VoiceLink DID id).")
    number: str
    connection_id: uuid.UUID
    country: str
    type: NumberType = Field(validation_alias="number_type")
    capabilities: list[str]
    router_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    label: str
    provider_sid: str | None = Field(
        description="The provider's id for the number (Twilio: PN...)."
    )
    created_at: datetime


class NumberListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "number")
    connection_id: uuid.UUID | None = None
    router_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    country: StrictStr | None = None
    type: NumberType | None = None
    assigned: bool | None = Field(default=None, description="Routed by a router or not.")
