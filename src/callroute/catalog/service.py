from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.catalog.repository import ServiceRepository
from callroute.catalog.schemas import ServiceCreate, ServiceListQuery, ServiceUpdate
from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.errors import Conflict
from callroute.escalation_policies.repository import PolicyRepository
from callroute.integrity.service import IntegrityService
from callroute.models import Service
from callroute.validation import found, reject_nulls, require_existing


class CatalogService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.repo = ServiceRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock

    async def create(self, data: ServiceCreate) -> Service:
        await self._free_name(data.kind.value, data.name, None)
        await self._check_policy(data.escalation_policy_id)
        now = self.clock.now()
        service = Service(
            project_id=self.project_id,
            name=data.name,
            description=data.description,
            kind=data.kind.value,
            escalation_policy_id=data.escalation_policy_id,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(service)
        await self.session.flush()
        return service

    async def get(self, ref: str) -> Service:
        return await found(self.repo, ref, "service")

    async def page(self, query: ServiceListQuery) -> PageResult[Service]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, ref: str, data: ServiceUpdate) -> Service:
        service = await self.get(ref)
        sent = data.model_fields_set
        reject_nulls(data, nullable=frozenset({"escalation_policy_id"}))
        kind = data.kind.value if data.kind else service.kind
        name = data.name or service.name
        if (kind, name) != (service.kind, service.name):
            await self._free_name(kind, name, service.id)
        service.kind, service.name = kind, name
        if data.description is not None:
            service.description = data.description
        if "escalation_policy_id" in sent:
            await self._check_policy(data.escalation_policy_id)
            service.escalation_policy_id = data.escalation_policy_id
        service.updated_at = self.clock.now()
        await self.session.flush()
        return service

    async def delete(self, ref: str) -> uuid.UUID:
        service = await self.get(ref)
        await IntegrityService(self.session, self.project_id).release(
            "service", service.id, f"service {service.name!r}", force=False
        )
        await self.repo.delete(service)
        return service.id

    async def _free_name(self, kind: str, name: str, service_id: uuid.UUID | None) -> None:
        existing = await self.repo.find_by(kind=kind, name=name)
        if existing is not None and existing.id != service_id:
            raise Conflict(f"{kind} {existing.id} is already named {name!r}", field="name")

    async def _check_policy(self, policy_id: uuid.UUID | None) -> None:
        if policy_id is not None:
            await require_existing(
                PolicyRepository(self.session, self.project_id),
                [("escalation_policy_id", policy_id)],
                "escalation policy",
            )
