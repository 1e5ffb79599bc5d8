from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base


class Revision(Base):
    """A named counter. ``config`` moves with every change to routing configuration (routers,
    policies, schedules, members, numbers, ...), so a process can keep what it compiled from
    that configuration for as long as the counter stands still (see db/revisions.py)."""

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
