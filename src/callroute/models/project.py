from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin, TimestampMixin


class Project(IdMixin, TimestampMixin, Base):
    """A tenant. Every other row belongs to exactly one project."""

    __tablename__ = "projects"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    # When set, only numbers marked verified are rung: an unconfirmed number may belong to
    # someone else, and ringing a stranger at 3 a.m. is worse than skipping to the next person.
    require_verified_numbers: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Outgoing webhooks go over https; plain http only where the project's owner allows it.
    webhooks_allow_http: Mapped[bool] = mapped_column(default=False, server_default=false())


class ProjectCounter(Base):
    """One counter per project and kind of object; hands out their integer handles.

    Incremented with an upsert that returns the new value: the row stays locked until the
    transaction ends, so concurrent inserts of one kind in one project get distinct numbers
    on PostgreSQL (SQLite serialises writers anyway), and a rolled-back insert takes its
    number back with it.
    """

    __tablename__ = "project_counters"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int]
