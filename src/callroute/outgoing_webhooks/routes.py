"""Webhook subscriptions and their delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.outgoing_webhooks.schemas import (
    DeliveryListQuery,
    DeliveryOut,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionListQuery,
    SubscriptionOut,
    SubscriptionUpdate,
)
from callroute.outgoing_webhooks.service import SubscriptionService

router = APIRouter(prefix=f"{API_PREFIX}/webhooks", tags=["webhooks"])
Reader = Annotated[Principal, Depends(require("webhooks:read"))]
Writer = Annotated[Principal, Depends(require("webhooks:write"))]


def _service(
    session: Session, principal: Principal, clock: ClockDep, ctx: Ctx
) -> SubscriptionService:
    return SubscriptionService(
        session,
        principal.project_id,
        clock,
        secret_keys=ctx.secret_keys,
        allow_private=ctx.settings.webhooks_allow_private_destinations,
    )


@router.post(
    "", status_code=201, response_model=SubscriptionCreated, summary="Subscribe a URL to events"
)
async def create_subscription(
    data: SubscriptionCreate, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> SubscriptionCreated:
    row, secret = await _service(session, principal, clock, ctx).create(data)
    return SubscriptionCreated.model_validate(
        {**SubscriptionOut.model_validate(row).model_dump(), "secret": secret}
    )


@router.get("", response_model=Page[SubscriptionOut], summary="List subscriptions")
async def list_subscriptions(
    query: Annotated[SubscriptionListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[SubscriptionOut]:
    result = await SubscriptionService(session, principal.project_id, clock).page(query)
    return page_of(SubscriptionOut, result)


@router.get("/{subscription_id}", response_model=SubscriptionOut, summary="Get one")
async def get_subscription(
    subscription_id: str, principal: Reader, session: Session, clock: ClockDep
) -> SubscriptionOut:
    row = await SubscriptionService(session, principal.project_id, clock).get(subscription_id)
    return SubscriptionOut.model_validate(row)


@router.patch("/{subscription_id}", response_model=SubscriptionOut, summary="Update one")
async def update_subscription(
    subscription_id: str,
    data: SubscriptionUpdate,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> SubscriptionOut:
    row = await _service(session, principal, clock, ctx).update(subscription_id, data)
    return SubscriptionOut.model_validate(row)


@router.delete("/{subscription_id}", response_model=Deleted, summary="Delete one")
async def delete_subscription(
    subscription_id: str, principal: Writer, session: Session, clock: ClockDep
) -> Deleted:
    row = await SubscriptionService(session, principal.project_id, clock).delete(subscription_id)
    return Deleted.of(row.id, [])


@router.post(
    "/{subscription_id}/test",
    status_code=202,
    response_model=DeliveryOut,
    summary="Send a webhook.test event to this subscription now",
)
async def send_test_event(
    subscription_id: str, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> DeliveryOut:
    queued = await _service(session, principal, clock, ctx).send_test(subscription_id)
    ctx.kick_runner()  # delivered by the timer runner, as soon as this request commits
    return DeliveryOut.model_validate(queued)


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
    clock: ClockDep,
) -> Page[DeliveryOut]:
    service = SubscriptionService(session, principal.project_id, clock)
    return page_of(DeliveryOut, await service.deliveries(subscription_id, query))
