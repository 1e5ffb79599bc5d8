from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin, ProjectScoped


class Alert(IdMixin, ProjectScoped, Base):
    """Raised by a call when its router asks for one; one per call at most."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_project_id_created_at", "project_id", "created_at"),)

    call_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), unique=True
    )
    router_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routers.id", ondelete="SET NULL")
    )
    summary: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))  # triggered | acknowledged | resolved
    urgency: Mapped[str | None] = mapped_column(String(100))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(40))
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_reason: Mapped[str | None] = mapped_column(Text)
    recording_url: Mapped[str | None] = mapped_column(String(1000))
    transcript: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
