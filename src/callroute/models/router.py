from __future__ import annotations

from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callroute.db.base import (
    Base,
    HandleMixin,
    IdMixin,
    ProjectScoped,
    TimestampMixin,
    handle_index,
)
from callroute.db.types import json_type


class Router(IdMixin, HandleMixin, ProjectScoped, TimestampMixin, Base):
    """What happens when one of its numbers is called. The pipeline (screening, hours,
    greeting, menu, action, ringing, voicemail, fallback, alert) is one validated document,
    read whole at call start and copied into the call's snapshot."""

    __tablename__ = "routers"
    __table_args__ = (UniqueConstraint("project_id", "slug"), handle_index("routers"))

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(default=True)
    config: Mapped[dict[str, Any]] = mapped_column(json_type())
