from __future__ import annotations

from sqlalchemy import String, false
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
