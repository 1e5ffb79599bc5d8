from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin
from callroute.db.types import json_type


class Timer(IdMixin, Base):
    """The database row is the timer: due work, written in the same transaction as the state
    change that needs it, claimed by exactly one worker at a time (lease), deleted in the same
    transaction as its effect.

    Kinds: ``engine`` (fire an engine timer: payload kind/token), ``dispatch`` (carry out
    provider commands after the step that produced them committed), ``provider_event``
    (deliver a provider event, e.g. the simulator's scripted phones), ``webhook`` (deliver an
    outgoing webhook).
    """

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_due_at", "due_at"),
        UniqueConstraint("dedupe_key"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    call_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    # Makes re-arming idempotent: the same (call, timer kind, token) is one row.
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    due_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
