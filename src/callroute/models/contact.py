from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callroute.db.base import Base, IdMixin, ProjectScoped, TimestampMixin
from callroute.db.types import json_type


class Contact(IdMixin, ProjectScoped, TimestampMixin, Base):
    """A known caller: shown by name on the call record, screened by labels (e.g. vip)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("project_id", "external_id"),)

    name: Mapped[str] = mapped_column(String(200))
    labels: Mapped[list[str]] = mapped_column(json_type(), default=list)
    external_id: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")

    phones: Mapped[list[ContactPhone]] = relationship(
        cascade="all, delete-orphan", order_by="ContactPhone.position", lazy="selectin"
    )


class ContactPhone(IdMixin, ProjectScoped, Base):
    __tablename__ = "contact_phones"
    __table_args__ = (
        UniqueConstraint("contact_id", "number"),
        # Caller lookup by number: one B-tree probe per incoming call.
        Index("ix_contact_phones_project_id_number", "project_id", "number"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    created_at: Mapped[datetime]
