"""Declarative base and the columns every tenant-owned table shares."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from callroute.db.types import UTCDateTime
from callroute.ids import new_id

# Deterministic constraint names, so migrations can address constraints on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    # Set by services from the injected clock, never by the database, so tests control time.
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProjectScoped:
    """Every tenant-owned row names its project; repositories filter on it in every query."""

    @declared_attr
    def project_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)


class HandleMixin:
    """A small positive integer naming the row for people and integer-keyed tools: unique per
    project and kind, assigned at insert from the project's counter (``db.handles``), never
    changed or reused."""

    handle: Mapped[int]


def handle_index(table: str) -> Index:
    # A unique index rather than a constraint, so that SQLite can add it without rebuilding
    # the table.
    return Index(f"uq_{table}_project_id_handle", "project_id", "handle", unique=True)
