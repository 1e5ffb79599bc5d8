from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin, ProjectScoped, TimestampMixin


class Service(IdMixin, ProjectScoped, TimestampMixin, Base):
    """Something that can be paged. ``kind`` separates Rootly's "functionalities" from services."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("project_id", "kind", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    escalation_policy_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("escalation_policies.id"), index=True
    )


class Urgency(IdMixin, ProjectScoped, TimestampMixin, Base):
    """How loudly an alert shouts. high/medium/low exist in every project; more may be added."""

    __tablename__ = "urgencies"
    __table_args__ = (UniqueConstraint("project_id", "slug"),)

    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]  # 0 is the most urgent
    built_in: Mapped[bool] = mapped_column(default=False)
