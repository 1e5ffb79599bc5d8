from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import Base, IdMixin, ProjectScoped
from callroute.db.types import json_type


class ApiKey(IdMixin, ProjectScoped, Base):
    """A project-scoped secret. Only its SHA-256 hash is stored; ``prefix`` is the visible part."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    # Either a role (permissions follow the role as it evolves) or an explicit list.
    role: Mapped[str | None] = mapped_column(String(20))
    permissions: Mapped[list[str] | None] = mapped_column(json_type())
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
