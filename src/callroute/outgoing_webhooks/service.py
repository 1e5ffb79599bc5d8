"""Webhook subscriptions: where a project's events go, each signed with its own secret."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute import crypto
from callroute.clock import Clock
from callroute.crypto import SecretKeys
from callroute.db.pagination import PageResult
from callroute.errors import ValidationFailed
from callroute.models import WebhookDelivery, WebhookSubscription
from callroute.outgoing_webhooks import delivery, destinations
from callroute.outgoing_webhooks.delivery import TEST_EVENT, Subscriber
from callroute.outgoing_webhooks.repository import DeliveryRepository, SubscriptionRepository
from callroute.outgoing_webhooks.schemas import (
    DeliveryListQuery,
    SubscriptionCreate,
    SubscriptionListQuery,
    SubscriptionUpdate,
)
from callroute.validation import found, reject_nulls


class SubscriptionService:
    def __init__(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        clock: Clock,
        *,
        secret_keys: SecretKeys | None = None,
        allow_private: bool = False,
    ) -> None:
        """``secret_keys`` encrypt a new subscription's signing secret; ``allow_private`` is
        the operator's setting for destinations on private networks."""
        self.session = session
        self.project_id = project_id
        self.clock = clock
        self.secret_keys = secret_keys
        self.allow_private = allow_private
        self.repo = SubscriptionRepository(session, project_id)

    async def create(self, data: SubscriptionCreate) -> tuple[WebhookSubscription, str]:
        """The new subscription and its signing secret (shown once, stored encrypted)."""
        assert self.secret_keys is not None, "creating a subscription needs the secret keys"
        await self._check_destination(data.url)
        secret = f"whsec_{secrets.token_urlsafe(32)}"
        now = self.clock.now()
        row = WebhookSubscription(
            project_id=self.project_id,
            url=data.url,
            events=data.events,
            description=data.description,
            enabled=data.enabled,
            secret=crypto.encrypt(self.secret_keys, secret),
            created_at=now,
            updated_at=now,
        )
        self.repo.add(row)
        await self.session.flush()
        return row, secret

    async def page(self, query: SubscriptionListQuery) -> PageResult[WebhookSubscription]:
        return await self.repo.page(query.sort_spec(), query.decoded_cursor(), query.limit)

    async def get(self, subscription_id: str) -> WebhookSubscription:
        return await found(self.repo, subscription_id, "subscription")

    async def update(self, subscription_id: str, data: SubscriptionUpdate) -> WebhookSubscription:
        row = await self.get(subscription_id)
        reject_nulls(data)
        if data.url is not None:
            await self._check_destination(data.url)
        for name in data.model_fields_set:
            setattr(row, name, getattr(data, name))
        row.updated_at = self.clock.now()
        return row

    async def delete(self, subscription_id: str) -> WebhookSubscription:
        row = await self.get(subscription_id)
        await self.repo.delete(row)
        return row

    async def deliveries(
        self, subscription_id: str, query: DeliveryListQuery
    ) -> PageResult[WebhookDelivery]:
        row = await self.get(subscription_id)
        return await DeliveryRepository(self.session, self.project_id).page(
            row.id, query.status, query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def send_test(self, subscription_id: str) -> WebhookDelivery:
        """Queue a ``webhook.test`` event for this subscription alone, whatever events it
        takes: signed and delivered (and retried, and logged) like any other."""
        row = await self.get(subscription_id)
        now = self.clock.now()
        data = {
            "subscription_id": str(row.id),
            "message": "A test event from callroute: your receiver is reachable and can verify "
            "the Callroute-Signature header with this subscription's secret.",
        }
        [queued] = await delivery.enqueue(
            self.session, self.project_id, TEST_EVENT, data, now, [Subscriber(row.id, ())]
        )
        await self.session.flush()
        return queued

    async def _check_destination(self, url: str) -> None:
        """Refuse a destination the server must not connect to (destinations.py)."""
        reason = await destinations.project_refusal(
            self.session, self.project_id, url, allow_private=self.allow_private
        )
        if reason is not None:
            raise ValidationFailed(f"url: {reason}", field="url")
