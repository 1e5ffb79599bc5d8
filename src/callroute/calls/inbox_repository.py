"""The webhook inbox: a provider event is accepted once per (provider, event id)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from callroute import metrics
from callroute.db.dialect import dialect_of
from callroute.ids import new_id
from callroute.models import InboxEvent


async def accept(
    session: AsyncSession, provider: str, event_id: str, call_id: uuid.UUID | None, now: datetime
) -> bool:
    """Record the event; False when it was seen before (a retry or a duplicate)."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(InboxEvent)
        .values(id=new_id(), provider=provider, event_id=event_id, call_id=call_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
    )
    accepted = bool(result.rowcount)  # type: ignore[attr-defined]
    if not accepted:
        metrics.after_commit(session, [lambda x: x.inbox_duplicates.labels(provider).inc()])
    return accepted
