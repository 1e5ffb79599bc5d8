from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import WebhookDelivery, WebhookSubscription


class SubscriptionRepository(ScopedRepository[WebhookSubscription]):
    model = WebhookSubscription

    async def page(
        self, sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[WebhookSubscription]:
        return await paginate(
            self.session,
            self.scoped(),
            id_column=WebhookSubscription.id,
            sort_columns={"created_at": WebhookSubscription.created_at},
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def enabled(self) -> list[tuple[uuid.UUID, Sequence[str] | None]]:
        """Each enabled subscription's id and the event types it asked for."""
        rows = await self.session.execute(
            select(WebhookSubscription.id, WebhookSubscription.events).where(
                WebhookSubscription.project_id == self.project_id,
                WebhookSubscription.enabled.is_(True),
            )
        )
        return [(row.id, row.events) for row in rows]


class DeliveryRepository(ScopedRepository[WebhookDelivery]):
    model = WebhookDelivery

    async def page(
        self,
        subscription_id: uuid.UUID,
        status: str | None,
        sort: SortSpec,
        cursor: Cursor | None,
        limit: int,
    ) -> PageResult[WebhookDelivery]:
        """The deliveries of one subscription, of one ``status`` when given."""
        stmt = self.scoped().where(WebhookDelivery.subscription_id == subscription_id)
        if status:
            stmt = stmt.where(WebhookDelivery.status == status)
        return await paginate(
            self.session,
            stmt,
            id_column=WebhookDelivery.id,
            sort_columns={"created_at": WebhookDelivery.created_at},
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
