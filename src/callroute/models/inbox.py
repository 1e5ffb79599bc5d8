from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin


class InboxEvent(IdMixin, Base):
    """Every provider event we accepted, unique on (provider, event id): a retried or
    duplicated webhook finds its row and has no second effect."""

    __tablename__ = "inbox_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    call_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    received_at: Mapped[datetime]
