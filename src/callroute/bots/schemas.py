"""Bots: what the API takes and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictStr

WebSocketUrl = Annotated[
    StrictStr,
    Field(
        max_length=1000,
        pattern=r"^wss?://[^\s/]+\S*$",
        description="ws:// or wss:// URL of the bot",
    ),
]
Parameters = Annotated[dict[StrictStr, StrictStr], Field(max_length=20)]


class BotCreate(RequestModel):
    name: Name
    websocket_url: WebSocketUrl
    parameters: Parameters = Field(
        default_factory=dict, description="Sent to the bot when a call connects."
    )
    description: StrictStr = Field(default="", max_length=2000)


class BotUpdate(RequestModel):
    name: Name | None = None
    websocket_url: WebSocketUrl | None = None
    parameters: Parameters | None = None
    description: StrictStr | None = Field(default=None, max_length=2000)


class BotOut(ResponseModel):
    id: uuid.UUID
    handle: int = Field(description="Integer id, unique in the project (VoiceLink bot id).")
    name: str
    websocket_url: str
    parameters: dict[str, str]
    description: str
    created_at: datetime
    updated_at: datetime


class BotListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
