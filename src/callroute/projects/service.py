from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.errors import Conflict, NotFound, ValidationFailed
from callroute.models import Project
from callroute.projects.repository import ProjectRepository
from callroute.projects.schemas import ProjectUpdate
from callroute.projects.slugs import slugify
from callroute.urgencies.service import UrgencyService
from callroute.validation import reject_nulls


class ProjectService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.repo = ProjectRepository(session)
        self.clock = clock

    async def create(self, name: str) -> Project:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValidationFailed("project name must be 1 to 200 characters", field="name")
        slug = slugify(name)
        if not slug:
            raise ValidationFailed("project name needs at least one letter or digit", field="name")
        existing = await self.repo.by_slug(slug)
        if existing is not None:
            raise Conflict(f"a project with slug {slug!r} already exists", field="name")
        now = self.clock.now()
        project = Project(name=name, slug=slug, created_at=now, updated_at=now)
        self.repo.add(project)
        await self.repo.session.flush()
        await UrgencyService(self.repo.session, project.id, self.clock).seed()
        return project

    async def get(self, project_id: uuid.UUID) -> Project:
        project = await self.repo.get(project_id)
        if project is None:
            raise NotFound("project not found")
        return project

    async def find(self, ref: str) -> Project:
        """A project by slug or id, for the CLI."""
        project = await self.repo.by_slug(ref)
        if project is None:
            try:
                project = await self.repo.get(uuid.UUID(ref))
            except ValueError:
                project = None
        if project is None:
            raise NotFound(f"no project {ref!r}; `callroute init --project NAME` creates one")
        return project

    async def update(self, project_id: uuid.UUID, data: ProjectUpdate) -> Project:
        project = await self.get(project_id)
        reject_nulls(data)
        if data.name is not None:
            project.name = data.name
        if data.require_verified_numbers is not None:
            project.require_verified_numbers = data.require_verified_numbers
        if data.webhooks_allow_http is not None:
            project.webhooks_allow_http = data.webhooks_allow_http
        project.updated_at = self.clock.now()
        return project
