"""Queue events for subscribers and deliver them, off the call path, with retries."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from callroute import crypto, metrics
from callroute.crypto import SecretKeys
from callroute.db.session import Database
from callroute.ids import new_id
from callroute.models import WebhookDelivery, WebhookSubscription
from callroute.outgoing_webhooks import destinations
from callroute.outgoing_webhooks.repository import SubscriptionRepository
from callroute.outgoing_webhooks.signing import SIGNATURE_HEADER, sign
from callroute.projects.repository import ProjectRepository
from callroute.timers.store import TimerBatch, TimerStore

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
# Sent only on request (POST /webhooks/{id}/test), to that one subscription.
TEST_EVENT = "webhook.test"


def retry_delay(attempts: int) -> timedelta:
    """10 s, 30 s, 90 s, ... tripling, at most 3 hours."""
    delay: timedelta = FIRST_RETRY * (3 ** max(0, attempts - 1))
    return min(delay, MAX_RETRY)


@dataclass(frozen=True)
class Subscriber:
    """What queueing an event needs of a subscription: plain values, safe to keep between
    transactions (the call path keeps them per process, see calls/config_cache.py)."""

    id: uuid.UUID
    events: tuple[str, ...]  # empty: every event


async def subscriptions_of(session: AsyncSession, project_id: uuid.UUID) -> list[Subscriber]:
    enabled = await SubscriptionRepository(session, project_id).enabled()
    return [Subscriber(row_id, tuple(events or ())) for row_id, events in enabled]


async def enqueue(
    session: AsyncSession,
    project_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
    subscriptions: Sequence[Subscriber] | None = None,
    timers: TimerBatch | None = None,
    call_id: uuid.UUID | None = None,
) -> list[WebhookDelivery]:
    """Record one delivery per interested subscription (returned); the runner sends them.
    ``subscriptions`` saves the lookup when the caller has them already; ``timers`` gathers
    the delivery timers into the caller's batch instead of writing them one by one;
    ``call_id``: the call the event is about (its own worker may deliver it)."""
    if subscriptions is None:
        subscriptions = await subscriptions_of(session, project_id)
    if not subscriptions:
        return []
    event_id = f"evt_{new_id().hex}"
    payload = {"id": event_id, "type": event_type, "created_at": now.isoformat(), "data": data}
    delivered: list[WebhookDelivery] = []
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
        timer = {"delivery_id": str(delivery.id)}
        if timers is not None:
            timers.arm("webhook", now, now, payload=timer, call_id=call_id)
        else:
            await TimerStore(session).arm("webhook", now, now, payload=timer, call_id=call_id)
        delivered.append(delivery)
    return delivered


@dataclass(frozen=True)
class _Request:
    url: str
    body: bytes
    headers: dict[str, str]
    allow_http: bool  # the project allows http:// destinations


@dataclass(frozen=True)
class _Sent:
    ok: bool
    status_code: int | None
    error: str | None


async def deliver(
    db: Database,
    delivery_id: uuid.UUID,
    http: httpx.AsyncClient,
    secret_keys: SecretKeys,
    now: datetime,
    finish: Callable[[AsyncSession], Awaitable[bool]],
    *,
    allow_private: bool = False,
    resolver: destinations.Resolver | None = None,
) -> None:
    """Send one delivery: read it, POST it with no transaction open (a slow subscriber never
    holds a database lock), record what happened and delete the timer (``finish``).

    The destination is checked again just before the request, after resolving its name (see
    destinations.py): a DNS change since the subscription was saved cannot point it at an
    internal host. ``allow_private`` is the operator's setting; ``resolver`` is for tests."""
    async with db.unit_of_work(readonly=True) as session:
        request = await _prepare(session, delivery_id, secret_keys, now)
    sent = None
    if isinstance(request, _Request):
        refused = await destinations.refusal(
            request.url,
            allow_http=request.allow_http,
            allow_private=allow_private,
            resolver=resolver,
        )
        if refused is not None:
            log.warning("webhook_refused", delivery_id=str(delivery_id), error=refused)
            request = f"destination refused: {refused}"[:500]
        else:
            sent = await _send(http, request)
    async with db.unit_of_work() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is not None and delivery.status == "pending":
            if isinstance(request, str):
                delivery.status, delivery.last_error = "failed", request
                delivery.next_attempt_at = None
            elif sent is not None:
                await _record(session, delivery, sent, now)
            if isinstance(request, str) or sent is not None:  # an attempt, or giving up
                result = "retried" if delivery.status == "pending" else delivery.status
                metrics.after_commit(session, [lambda x: x.webhook_deliveries.labels(result).inc()])
        await finish(session)


async def _prepare(
    session: AsyncSession, delivery_id: uuid.UUID, secret_keys: SecretKeys, now: datetime
) -> _Request | str | None:
    """The request to make; a reason to give up instead; None when there is nothing to do."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return None
    subscription = await session.get(WebhookSubscription, delivery.subscription_id)
    if subscription is None or not subscription.enabled:
        return "subscription removed or disabled"
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    secret = crypto.decrypt(secret_keys, subscription.secret)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "callroute-webhooks/1",
        "Callroute-Event": delivery.event_type,
        "Callroute-Delivery": str(delivery.id),
        SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body),
    }
    project = await ProjectRepository(session).get(delivery.project_id)
    allow_http = bool(project is not None and project.webhooks_allow_http)
    return _Request(subscription.url, body, headers, allow_http)


async def _send(http: httpx.AsyncClient, request: _Request) -> _Sent:
    try:
        response = await http.post(
            request.url, content=request.body, headers=request.headers, timeout=TIMEOUT_SECONDS
        )
    except httpx.HTTPError as exc:
        return _Sent(False, None, f"{type(exc).__name__}: {exc}"[:500])
    ok = 200 <= response.status_code < 300
    return _Sent(ok, response.status_code, None if ok else f"HTTP {response.status_code}")


async def _record(
    session: AsyncSession, delivery: WebhookDelivery, sent: _Sent, now: datetime
) -> None:
    delivery.attempts += 1
    delivery.last_status_code = sent.status_code
    delivery.last_error = sent.error
    if sent.ok:
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
