from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callroute.db.base import Base, IdMixin, ProjectScoped, TimestampMixin


class Team(IdMixin, ProjectScoped, TimestampMixin, Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # No ON DELETE: deleting a policy that a team defaults to is refused by the service
    # (409 naming the team) rather than silently unset.
    default_escalation_policy_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("escalation_policies.id"), index=True
    )

    memberships: Mapped[list[TeamMember]] = relationship(
        cascade="all, delete-orphan", order_by="TeamMember.position", lazy="selectin"
    )

    @property
    def member_ids(self) -> list[uuid.UUID]:
        return [m.member_id for m in self.memberships]


class TeamMember(Base):
    """A member's place in a team, in the order the team lists (and rings) them."""

    __tablename__ = "team_members"

    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id"), primary_key=True, index=True
    )
    position: Mapped[int]
