from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callroute.db.base import Base, IdMixin, ProjectScoped, TimestampMixin


class EscalationPolicy(IdMixin, ProjectScoped, TimestampMixin, Base):
    __tablename__ = "escalation_policies"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    repeat_count: Mapped[int] = mapped_column(default=0)

    levels: Mapped[list[EscalationLevel]] = relationship(
        cascade="all, delete-orphan", order_by="EscalationLevel.position", lazy="selectin"
    )


class EscalationLevel(IdMixin, TimestampMixin, Base):
    __tablename__ = "escalation_levels"

    policy_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="CASCADE"), index=True
    )
    # Levels are rung in ascending position; positions need not be contiguous.
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    strategy: Mapped[str] = mapped_column(String(20))
    ring_timeout_seconds: Mapped[int]
    delay_seconds: Mapped[int]

    targets: Mapped[list[EscalationTarget]] = relationship(
        cascade="all, delete-orphan", order_by="EscalationTarget.position", lazy="selectin"
    )


class EscalationTarget(IdMixin, Base):
    """One target of a level. A column per kind, so the database itself refuses a dangling
    reference and "what points at member X" is an indexed lookup."""

    __tablename__ = "escalation_targets"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN member_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN team_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN schedule_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    level_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("escalation_levels.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"), index=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"), index=True)
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("schedules.id"), index=True)

    @property
    def target_id(self) -> uuid.UUID:
        target = self.member_id or self.team_id or self.schedule_id
        assert target is not None
        return target
