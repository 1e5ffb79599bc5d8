from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin, ProjectScoped


class ConsoleSession(IdMixin, ProjectScoped, Base):
    """A member signed in to the web console. The browser holds a random token in a cookie;
    only its SHA-256 is stored, so the table cannot be replayed. Signing out deletes the row."""

    __tablename__ = "console_sessions"
    __table_args__ = (UniqueConstraint("token_hash"),)

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    csrf_token: Mapped[str] = mapped_column(String(64))  # every form of the session carries it
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
