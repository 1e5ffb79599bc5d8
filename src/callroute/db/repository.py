"""Base of every repository of tenant-owned rows: each query is scoped to one project."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.db.base import Base

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
