from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin, ProjectScoped
from callroute.db.types import json_type


class CallOrigin(StrEnum):
    ROUTED = "routed"  # callroute routed it: the engine owns its status, times and legs
    LOGGED = "logged"  # handled by another phone system and written through the API


# A logged call's provider id names it once per project, so a retried log is refused instead
# of being stored twice. Routed calls are unique per connection instead (the constraint below).
_LOGGED_ONLY = text("origin = 'logged' AND provider_call_id <> ''")


class Call(IdMixin, ProjectScoped, Base):
    """One call. ``snapshot`` is frozen at start; ``state`` is the engine's, replaced at every
    step under the row lock; ``generation`` counts steps (idempotency keys derive from it).

    A logged call has an empty snapshot and state: the engine never steps it."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("connection_id", "provider_call_id"),
        Index("ix_calls_project_id_started_at", "project_id", "started_at"),
        Index("ix_calls_project_id_status", "project_id", "status"),
        Index(
            "ix_calls_logged_provider_call_id",
            "project_id",
            "provider",
            "provider_call_id",
            unique=True,
            sqlite_where=_LOGGED_ONLY,
            postgresql_where=_LOGGED_ONLY,
        ),
    )

    direction: Mapped[str] = mapped_column(String(10))  # inbound | outbound
    from_number: Mapped[str] = mapped_column(String(40))
    to_number: Mapped[str] = mapped_column(String(40))
    router_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routers.id", ondelete="SET NULL"), index=True
    )
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("provider_connections.id", ondelete="SET NULL")
    )
    provider: Mapped[str] = mapped_column(String(20))
    provider_call_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    price: Mapped[str | None] = mapped_column(String(32))  # decimal as text: never a float
    price_unit: Mapped[str | None] = mapped_column(String(3))
    snapshot: Mapped[dict[str, Any]] = mapped_column(json_type())
    state: Mapped[dict[str, Any]] = mapped_column(json_type())
    generation: Mapped[int] = mapped_column(default=0)
    # The last timeline sequence number, so appending needs no MAX() query.
    event_count: Mapped[int] = mapped_column(default=0)
    provider_data: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    updated_at: Mapped[datetime]
    origin: Mapped[str] = mapped_column(
        String(10), default=CallOrigin.ROUTED.value, server_default=CallOrigin.ROUTED.value
    )
    # Follow-up of the call, written through the API (never by the engine): the member the call
    # was with, what it was about, who called back after it was missed, the billing rate and
    # the references the outside system that logged or manages it gave.
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    summary: Mapped[str | None] = mapped_column(Text)
    handled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    handled_at: Mapped[datetime | None]
    rate: Mapped[str | None] = mapped_column(String(32))  # decimal as text, like price
    external: Mapped[dict[str, Any] | None] = mapped_column(json_type())

    @property
    def duration_seconds(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())


class CallLeg(IdMixin, ProjectScoped, Base):
    """One attempt to reach a responder (or a forward / SIP / bot connection)."""

    __tablename__ = "call_legs"
    __table_args__ = (UniqueConstraint("call_id", "leg_key"),)

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    leg_key: Mapped[str] = mapped_column(String(60))  # the engine's leg id
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    member_name: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[str] = mapped_column(String(255))
    level: Mapped[int] = mapped_column(default=0)
    round: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20))
    provider_leg_id: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    price: Mapped[str | None] = mapped_column(String(32))
    price_unit: Mapped[str | None] = mapped_column(String(3))

    @property
    def duration_seconds(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())


class CallEvent(IdMixin, ProjectScoped, Base):
    """The append-only timeline of a call: what happened, what we did, in order."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "sequence"),)

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)


class Recording(IdMixin, ProjectScoped, Base):
    __tablename__ = "recordings"

    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # voicemail | call
    url: Mapped[str] = mapped_column(String(1000))
    duration_seconds: Mapped[int]
    transcript: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class CallEffect(IdMixin, ProjectScoped, Base):
    """One request a provider is to make (or made) for a step of a call: recorded as an
    intent before the request goes out, completed with its result after. A process that dies
    between the two leaves the intent: the next attempt knows the request may have been made
    and looks for what it created instead of creating it again."""

    __tablename__ = "call_effects"
    __table_args__ = (UniqueConstraint("call_id", "key"),)

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))  # "<generation>:<what>", unique per call
    generation: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    status: Mapped[str] = mapped_column(String(10))  # pending | done
    result: Mapped[dict[str, Any] | None] = mapped_column(json_type())
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
