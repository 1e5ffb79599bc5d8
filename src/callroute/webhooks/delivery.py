"""Queue events for subscribers and deliver them, off the call path, with retries."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute import crypto
from callroute.ids import new_id
from callroute.models import WebhookDelivery, WebhookSubscription
from callroute.timers.store import TimerBatch, TimerStore
from callroute.webhooks import destinations
from callroute.webhooks.signing import SIGNATURE_HEADER, sign

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=10)
MAX_RETRY = timedelta(hours=3)
TIMEOUT_SECONDS = 10.0

EVENT_TYPES = (
    "call.started",
    "call.answered",
    "call.ended",
    "voicemail.received",
    "alert.triggered",
    "alert.acknowledged",
    "alert.resolved",
)


def retry_delay(attempts: int) -> timedelta:
    """10 s, 30 s, 90 s, ... tripling, at most 3 hours."""
    delay: timedelta = FIRST_RETRY * (3 ** max(0, attempts - 1))
    return min(delay, MAX_RETRY)


@dataclass(frozen=True)
class Subscriber:
    """What queueing an event needs of a subscription: plain values, safe to keep between
    transactions (the call path keeps them per process, see calls/sources.py)."""

    id: uuid.UUID
    events: tuple[str, ...]  # empty: every event


async def subscriptions_of(session: AsyncSession, project_id: uuid.UUID) -> list[Subscriber]:
    rows = await session.execute(
        select(WebhookSubscription.id, WebhookSubscription.events).where(
            WebhookSubscription.project_id == project_id, WebhookSubscription.enabled.is_(True)
        )
    )
    return [Subscriber(row.id, tuple(row.events or ())) for row in rows]


async def enqueue(
    session: AsyncSession,
    project_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
    subscriptions: Sequence[Subscriber] | None = None,
    timers: TimerBatch | None = None,
) -> int:
    """Record one delivery per interested subscription; the runner sends them.
    ``subscriptions`` saves the lookup when the caller has them already; ``timers`` gathers
    the delivery timers into the caller's batch instead of writing them one by one."""
    if subscriptions is None:
        subscriptions = await subscriptions_of(session, project_id)
    if not subscriptions:
        return 0
    event_id = f"evt_{new_id().hex}"
    payload = {"id": event_id, "type": event_type, "created_at": now.isoformat(), "data": data}
    count = 0
    for subscription in subscriptions:
        if subscription.events and event_type not in subscription.events:
            continue
        delivery = WebhookDelivery(
            id=new_id(),
            project_id=project_id,
            subscription_id=subscription.id,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        payload = {"delivery_id": str(delivery.id)}
        if timers is not None:
            timers.arm("webhook", now, now, payload=payload)
        else:
            await TimerStore(session).arm("webhook", now, now, payload=payload)
        count += 1
    return count


async def deliver(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    http: httpx.AsyncClient,
    secret_key: str,
    now: datetime,
    *,
    allow_private: bool | None = None,
    resolver: destinations.Resolver | None = None,
) -> None:
    """``allow_private`` and ``resolver`` are for webhooks/destinations.py (None: the
    operator's setting, the system's resolver)."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return
    subscription = await session.get(WebhookSubscription, delivery.subscription_id)
    if subscription is None or not subscription.enabled:
        delivery.status = "failed"
        delivery.last_error = "subscription removed or disabled"
        return
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    secret = crypto.decrypt(secret_key, subscription.secret)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "callroute-webhooks/1",
        "Callroute-Event": delivery.event_type,
        "Callroute-Delivery": str(delivery.id),
        SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body),
    }
    delivery.attempts += 1
    # The destination is checked again now, after resolving its name: see destinations.py.
    refused = await destinations.project_refusal(
        session,
        delivery.project_id,
        subscription.url,
        allow_private=allow_private,
        resolver=resolver,
    )
    if refused is not None:
        delivery.status = "failed"
        delivery.last_error = f"destination refused: {refused}"[:500]
        delivery.next_attempt_at = None
        log.warning("webhook_refused", delivery_id=str(delivery.id), error=refused)
        return
    try:
        response = await http.post(
            subscription.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
        delivery.last_status_code = response.status_code
        ok = 200 <= response.status_code < 300
        delivery.last_error = None if ok else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        ok = False
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if ok:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        return
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
        delivery.next_attempt_at = None
        log.warning("webhook_gave_up", delivery_id=str(delivery.id), error=delivery.last_error)
        return
    delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    await TimerStore(session).arm(
        "webhook", delivery.next_attempt_at, now, payload={"delivery_id": str(delivery.id)}
    )
