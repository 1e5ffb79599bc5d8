from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
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
    description: Mapped[str] = mapped_column(Text, default="")
    # Lower-case tags ("billing", "eu"), filtered on like a contact's labels.
    labels: Mapped[list[str]] = mapped_column(json_type(), default=list)
    # The provider account the router's numbers come from, when one is chosen: its numbers
    # must belong to it. Deleting the connection is refused while a router names it.
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("provider_connections.id"), index=True
    )
    config: Mapped[dict[str, Any]] = mapped_column(json_type())
