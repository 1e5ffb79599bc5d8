from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callroute.db.base import Base, IdMixin, ProjectScoped, TimestampMixin
from callroute.db.types import json_type


class Schedule(IdMixin, ProjectScoped, TimestampMixin, Base):
    """Rotations (layers) and overrides in one time zone: who is on call at any instant."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    time_zone: Mapped[str] = mapped_column(String(64))

    layers: Mapped[list[ScheduleLayer]] = relationship(
        cascade="all, delete-orphan", order_by="ScheduleLayer.position", lazy="selectin"
    )


class ScheduleLayer(IdMixin, Base):
    __tablename__ = "schedule_layers"

    schedule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]  # later layers win
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    rotation_length: Mapped[int]
    rotation_unit: Mapped[str] = mapped_column(String(10))
    handoff_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM", local
    # [{"kind", "start_day", "start_time", "duration_minutes"}]; read only as a whole.
    restrictions: Mapped[list[dict[str, Any]]] = mapped_column(json_type(), default=list)

    members: Mapped[list[ScheduleLayerMember]] = relationship(
        cascade="all, delete-orphan", order_by="ScheduleLayerMember.position", lazy="selectin"
    )

    @property
    def member_ids(self) -> list[uuid.UUID]:
        return [slot.member_id for slot in self.members]


class ScheduleLayerMember(Base):
    """One slot of a rotation; a member may hold several slots of the same layer."""

    __tablename__ = "schedule_layer_members"

    layer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("schedule_layers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)


class ScheduleOverride(IdMixin, ProjectScoped, Base):
    __tablename__ = "schedule_overrides"
    __table_args__ = (Index("ix_schedule_overrides_schedule_id_ends_at", "schedule_id", "ends_at"),)

    schedule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime]
