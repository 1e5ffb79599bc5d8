"""Base of every repository of tenant-owned rows: each query is scoped to one project."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.db.base import Base
from callroute.ids import parse_id

M = TypeVar("M", bound=Base)


class ScopedRepository(Generic[M]):
    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    def scoped(self) -> Select[M]:
        """SELECT of this repository's model, already limited to the project."""
        return select(self.model).where(self.model.project_id == self.project_id)

    async def get(self, row_id: uuid.UUID) -> M | None:
        row: M | None = await self.session.scalar(self.scoped().where(self.model.id == row_id))
        return row

    def add(self, row: M) -> None:
        if row.project_id != self.project_id:  # type: ignore[attr-defined]
            raise ValueError("row belongs to another project")
        self.session.add(row)

    async def delete(self, row: M) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def missing(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of ``ids`` are not rows of this project (unknown, or another project's)."""
        wanted = set(ids)
        if not wanted:
            return set()
        found = await self.session.scalars(
            select(self.model.id).where(
                self.model.project_id == self.project_id, self.model.id.in_(wanted)
            )
        )
        return wanted - set(found.all())

    async def among(self, ids: Iterable[uuid.UUID]) -> list[M]:
        """The project's rows whose ids are among ``ids`` (another project's are left out)."""
        wanted = list(ids)
        if not wanted:
            return []
        rows = await self.session.scalars(self.scoped().where(self.model.id.in_(wanted)))
        return list(rows.all())

    async def by_ref(self, ref: str) -> M | None:
        """A row by the id as written in a URL; a malformed id simply finds nothing."""
        row_id = parse_id(ref)
        return await self.get(row_id) if row_id else None

    async def find_by(self, **values: Any) -> M | None:
        """The project's row whose columns equal ``values`` (first one, if several)."""
        stmt = self.scoped()
        for column, value in values.items():
            stmt = stmt.where(getattr(self.model, column) == value)
        row: M | None = await self.session.scalar(stmt.limit(1))
        return row
