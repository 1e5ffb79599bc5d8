"""The few SQL constructs that differ between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, cast, exists, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_of(session: AsyncSession) -> str:
    bind = session.get_bind()
    return str(bind.dialect.name)


def json_array_contains(dialect: str, column: Any, value: str) -> ColumnElement[bool]:
    """``value`` is one of the strings in the JSON array ``column``."""
    if dialect == "postgresql":
        return cast(column, JSONB).contains(literal([value], JSONB))
    elements = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(elements).where(elements.c.value == value))
