"""Apply a list query (sort, cursor, limit) to a SELECT and count the matches.

The sort and the cursor are defined here rather than with the HTTP list conventions
(``api/pagination.py``), because repositories take them: storage never imports the API.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from callroute.errors import ValidationFailed

T = TypeVar("T")


@dataclass(frozen=True)
class SortSpec:
    field: str
    descending: bool

    def render(self) -> str:
        return ("-" if self.descending else "") + self.field


@dataclass(frozen=True)
class Cursor:
    sort: SortSpec
    value: Any
    last_id: uuid.UUID

    def encode(self) -> str:
        value = self.value
        tagged = (
            {"t": "dt", "v": value.isoformat()} if isinstance(value, datetime) else {"v": value}
        )
        raw = json.dumps({"s": self.sort.render(), "k": tagged, "i": str(self.last_id)})
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = json.loads(raw)
            sort_text = data["s"]
            key = data["k"]
            value = datetime.fromisoformat(key["v"]) if key.get("t") == "dt" else key["v"]
            return cls(sort=parse_sort(sort_text), value=value, last_id=uuid.UUID(data["i"]))
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise ValidationFailed("cursor is not valid", field="cursor") from exc


def parse_sort(text: str) -> SortSpec:
    descending = text.startswith("-")
    return SortSpec(field=text.lstrip("-"), descending=descending)


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
