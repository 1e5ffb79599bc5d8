from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.models import Project


class ProjectRepository:
    """Projects are the scope, not scoped; only the CLI and the current-project API use this."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: uuid.UUID) -> Project | None:
        return await self.session.get(Project, project_id)

    async def by_slug(self, slug: str) -> Project | None:
        project: Project | None = await self.session.scalar(
            select(Project).where(Project.slug == slug)
        )
        return project

    async def all(self) -> list[Project]:
        return list((await self.session.scalars(select(Project).order_by(Project.slug))).all())

    def add(self, project: Project) -> None:
        self.session.add(project)
