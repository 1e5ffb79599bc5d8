"""Apply a list query (sort, cursor, limit) to a SELECT and count the matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from callroute.api.pagination import Cursor, SortSpec
from callroute.errors import ValidationFailed

T = TypeVar("T")


@dataclass(frozen=True)
class PageResult(Generic[T]):
    rows: Sequence[T]
    total: int
    next_cursor: str | None


async def paginate(
    session: AsyncSession,
    stmt: Select[T],
    *,
    id_column: InstrumentedAttribute[Any],
    sort_columns: Mapping[str, InstrumentedAttribute[Any]],
    sort: SortSpec,
    cursor: Cursor | None,
    limit: int,
) -> PageResult[T]:
    """``stmt`` must already carry the project scope and the filters."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    column = sort_columns[sort.field]
    if cursor is not None:
        stmt = stmt.where(_after(column, id_column, sort, cursor))
    order = (
        (column.desc(), id_column.desc()) if sort.descending else (column.asc(), id_column.asc())
    )
    rows = list((await session.scalars(stmt.order_by(*order).limit(limit + 1))).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = Cursor(
            sort=sort, value=getattr(last, column.key), last_id=getattr(last, id_column.key)
        ).encode()
    return PageResult(rows=rows, total=total or 0, next_cursor=next_cursor)


def _after(
    column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
    sort: SortSpec,
    cursor: Cursor,
) -> ColumnElement[bool]:
    value = cursor.value
    python_type = column.type.python_type
    if value is not None and not isinstance(value, python_type):
        raise ValidationFailed("cursor is not valid", field="cursor")
    if sort.descending:
        return or_(column < value, and_(column == value, id_column < cursor.last_id))
    return or_(column > value, and_(column == value, id_column > cursor.last_id))
