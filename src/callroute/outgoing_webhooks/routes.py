"""Webhook subscriptions and their delivery log."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Query
from pydantic import Field, field_validator

from callroute import crypto
from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.api.pagination import ListQuery, Page, page_of
from callroute.api.schemas import RequestModel, ResponseModel, StrictBool, StrictStr
from callroute.auth.principal import Principal
from callroute.errors import ValidationFailed
from callroute.integrity.schemas import Deleted
from callroute.models import WebhookSubscription
from callroute.outgoing_webhooks import destinations
from callroute.outgoing_webhooks.delivery import EVENT_TYPES
from callroute.outgoing_webhooks.repository import DeliveryRepository, SubscriptionRepository
from callroute.validation import found, reject_nulls

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


router = APIRouter(prefix=f"{API_PREFIX}/webhooks", tags=["webhooks"])
Reader = Annotated[Principal, Depends(require("webhooks:read"))]
Writer = Annotated[Principal, Depends(require("webhooks:write"))]


async def _check_destination(session: Session, ctx: Ctx, principal: Principal, url: str) -> None:
    """Refuse a destination the server must not connect to (webhooks/destinations.py)."""
    reason = await destinations.project_refusal(
        session,
        principal.project_id,
        url,
        allow_private=ctx.settings.webhooks_allow_private_destinations,
    )
    if reason is not None:
        raise ValidationFailed(f"url: {reason}", field="url")


@router.post(
    "", status_code=201, response_model=SubscriptionCreated, summary="Subscribe a URL to events"
)
async def create_subscription(
    data: SubscriptionCreate, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> SubscriptionCreated:
    await _check_destination(session, ctx, principal, data.url)
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    now = clock.now()
    row = WebhookSubscription(
        project_id=principal.project_id,
        url=data.url,
        events=data.events,
        description=data.description,
        enabled=data.enabled,
        secret=crypto.encrypt(ctx.secret_keys, secret),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return SubscriptionCreated.model_validate(
        {**SubscriptionOut.model_validate(row).model_dump(), "secret": secret}
    )


@router.get("", response_model=Page[SubscriptionOut], summary="List subscriptions")
async def list_subscriptions(
    query: Annotated[SubscriptionListQuery, Query()], principal: Reader, session: Session
) -> Page[SubscriptionOut]:
    result = await SubscriptionRepository(session, principal.project_id).page(
        query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return page_of(SubscriptionOut, result)


@router.get("/{subscription_id}", response_model=SubscriptionOut, summary="Get one")
async def get_subscription(
    subscription_id: str, principal: Reader, session: Session
) -> SubscriptionOut:
    repo = SubscriptionRepository(session, principal.project_id)
    return SubscriptionOut.model_validate(await found(repo, subscription_id, "subscription"))


@router.patch("/{subscription_id}", response_model=SubscriptionOut, summary="Update one")
async def update_subscription(
    subscription_id: str,
    data: SubscriptionUpdate,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> SubscriptionOut:
    row = await found(
        SubscriptionRepository(session, principal.project_id), subscription_id, "subscription"
    )
    reject_nulls(data)
    if data.url is not None:
        await _check_destination(session, ctx, principal, data.url)
    for name in data.model_fields_set:
        setattr(row, name, getattr(data, name))
    row.updated_at = clock.now()
    return SubscriptionOut.model_validate(row)


@router.delete("/{subscription_id}", response_model=Deleted, summary="Delete one")
async def delete_subscription(subscription_id: str, principal: Writer, session: Session) -> Deleted:
    repo = SubscriptionRepository(session, principal.project_id)
    row = await found(repo, subscription_id, "subscription")
    await repo.delete(row)
    return Deleted.of(row.id, [])


@router.get(
    "/{subscription_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="The delivery log of a subscription, newest first",
)
async def list_deliveries(
    subscription_id: str,
    query: Annotated[DeliveryListQuery, Query()],
    principal: Reader,
    session: Session,
) -> Page[DeliveryOut]:
    row = await found(
        SubscriptionRepository(session, principal.project_id), subscription_id, "subscription"
    )
    result = await DeliveryRepository(session, principal.project_id).page(
        row.id, query.status, query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return page_of(DeliveryOut, result)
