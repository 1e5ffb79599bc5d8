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


class ProviderConnection(IdMixin, ProjectScoped, TimestampMixin, Base):
    """Credentials for one provider account. ``secrets`` holds Fernet tokens only."""

    __tablename__ = "provider_connections"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # simulator | twilio | vonage
    enabled: Mapped[bool] = mapped_column(default=True)
    # {"name": "<encrypted>"}; never returned by the API, never logged.
    secrets: Mapped[dict[str, str]] = mapped_column(json_type(), default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)


class PhoneNumber(IdMixin, HandleMixin, ProjectScoped, TimestampMixin, Base):
    """A DID owned through a connection, routed by at most one router."""

    __tablename__ = "phone_numbers"
    __table_args__ = (handle_index("phone_numbers"),)

    # A real number has one owner: unique across projects, so an inbound call finds it alone.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_connections.id"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    number_type: Mapped[str] = mapped_column(String(20))  # local | toll_free | mobile
    capabilities: Mapped[list[str]] = mapped_column(json_type(), default=list)
    router_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routers.id", ondelete="SET NULL"), index=True
    )
    provider_sid: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200), default="")
    # The member the number belongs to (a DID mapped to a person): routing "to the owner's
    # mobile" rings them. Deleting the member leaves the number without an owner.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )


class SipTrunk(IdMixin, HandleMixin, ProjectScoped, TimestampMixin, Base):
    __tablename__ = "sip_trunks"
    __table_args__ = (UniqueConstraint("project_id", "name"), handle_index("sip_trunks"))

    name: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str] = mapped_column(String(255))  # sip:pbx.example.com or sip:ext@host
    username: Mapped[str | None] = mapped_column(String(200))
    secrets: Mapped[dict[str, str]] = mapped_column(json_type(), default=dict)  # password
    description: Mapped[str] = mapped_column(Text, default="")


class Bot(IdMixin, HandleMixin, ProjectScoped, TimestampMixin, Base):
    """A voice bot reached by a bidirectional media stream over WebSocket."""

    __tablename__ = "bots"
    __table_args__ = (UniqueConstraint("project_id", "name"), handle_index("bots"))

    name: Mapped[str] = mapped_column(String(200))
    websocket_url: Mapped[str] = mapped_column(String(1000))
    parameters: Mapped[dict[str, str]] = mapped_column(json_type(), default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
