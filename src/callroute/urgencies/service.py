from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.errors import Conflict, NotFound, ValidationFailed
from callroute.models import Urgency
from callroute.projects.slugs import slugify
from callroute.urgencies.repository import UrgencyRepository
from callroute.urgencies.schemas import UrgencyCreate, UrgencyListQuery, UrgencyUpdate
from callroute.validation import reject_nulls

BUILT_IN = (
    ("High", "high", "Wake someone up: ring now, escalate fast."),
    ("Medium", "medium", "Needs attention soon."),
    ("Low", "low", "Can wait for working hours."),
)


class UrgencyService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.repo = UrgencyRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock

    async def seed(self) -> None:
        """The urgencies every project starts with; called when a project is created."""
        now = self.clock.now()
        for position, (name, slug, description) in enumerate(BUILT_IN):
            self.repo.add(
                Urgency(
                    project_id=self.project_id,
                    name=name,
                    slug=slug,
                    description=description,
                    position=position,
                    built_in=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        await self.session.flush()

    async def create(self, data: UrgencyCreate) -> Urgency:
        slug = slugify(data.name)
        if not slug:
            raise ValidationFailed("name: needs at least one letter or digit", field="name")
        await self._free_slug(slug, None)
        now = self.clock.now()
        position = data.position if data.position is not None else await self.repo.next_position()
        urgency = Urgency(
            project_id=self.project_id,
            name=data.name,
            slug=slug,
            description=data.description,
            position=position,
            built_in=False,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(urgency)
        await self.session.flush()
        return urgency

    async def get(self, ref: str) -> Urgency:
        """By id or by slug (``high``), since slugs are what other tools send."""
        urgency = await self.repo.by_ref(ref) or await self.repo.by_slug(ref)
        if urgency is None:
            raise NotFound(f"no urgency {ref!r} in this project")
        return urgency

    async def page(self, query: UrgencyListQuery) -> PageResult[Urgency]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, ref: str, data: UrgencyUpdate) -> Urgency:
        urgency = await self.get(ref)
        reject_nulls(data)
        if data.name is not None and data.name != urgency.name:
            if urgency.built_in:
                raise Conflict(
                    "built-in urgencies keep their names; describe them instead", field="name"
                )
            slug = slugify(data.name)
            await self._free_slug(slug, urgency.id)
            urgency.name, urgency.slug = data.name, slug
        if data.description is not None:
            urgency.description = data.description
        if data.position is not None:
            urgency.position = data.position
        urgency.updated_at = self.clock.now()
        await self.session.flush()
        return urgency

    async def delete(self, ref: str) -> uuid.UUID:
        urgency = await self.get(ref)
        if urgency.built_in:
            raise Conflict(f"{urgency.slug!r} is built in and cannot be deleted")
        await self.repo.delete(urgency)
        return urgency.id

    async def _free_slug(self, slug: str, urgency_id: uuid.UUID | None) -> None:
        existing = await self.repo.by_slug(slug)
        if existing is not None and existing.id != urgency_id:
            raise Conflict(f"urgency {existing.name!r} already has the slug {slug!r}", field="name")
