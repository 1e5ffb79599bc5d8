"""What the webhook subscriptions API takes and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator

from callroute.api.pagination import ListQuery
from callroute.api.schemas import RequestModel, ResponseModel, StrictBool, StrictStr
from callroute.outgoing_webhooks.delivery import EVENT_TYPES

Url = Annotated[StrictStr, Field(max_length=2000, pattern=r"^https?://\S+$")]


def _known_events(events: list[str] | None) -> list[str] | None:
    if events is None:
        return None
    for index, event in enumerate(events):
        if event not in EVENT_TYPES:
            raise ValueError(
                f"events[{index}]: unknown event {event!r}; known: " + ", ".join(EVENT_TYPES)
            )
    return sorted(set(events))


class SubscriptionCreate(RequestModel):
    url: Url
    events: list[StrictStr] = Field(
        default_factory=list,
        max_length=len(EVENT_TYPES),
        description="Event types to send; empty = all.",
    )
    description: StrictStr = Field(default="", max_length=2000)
    enabled: StrictBool = True
    _events = field_validator("events")(_known_events)


class SubscriptionUpdate(RequestModel):
    url: Url | None = None
    events: list[StrictStr] | None = Field(default=None, max_length=len(EVENT_TYPES))
    description: StrictStr | None = Field(default=None, max_length=2000)
    enabled: StrictBool | None = None
    _events = field_validator("events")(_known_events)


class SubscriptionOut(ResponseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    description: str
    enabled: bool
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="Signing secret; shown only in this response.")


class DeliveryOut(ResponseModel):
    id: uuid.UUID
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]


class SubscriptionListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at",)


class DeliveryListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at",)
    default_sort: ClassVar[str] = "-created_at"
    status: StrictStr | None = Field(default=None, pattern="^(pending|delivered|failed)$")
