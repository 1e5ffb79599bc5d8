"""The queries the OneUptime layer needs over core tables, each limited to one project."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.ids import parse_id
from callroute.models import (
    EscalationLevel,
    EscalationPolicy,
    Member,
    PhoneNumber,
    Project,
    ProviderConnection,
    Router,
    Schedule,
    Team,
)
from callroute.routers.repository import RouterRepository


def rung_policy_id(router: Router) -> uuid.UUID | None:
    """The escalation policy the router rings, when its action is to ring one."""
    action: dict[str, Any] = router.config.get("action") or {}
    target: dict[str, Any] = action.get("target") or {}
    if action.get("type") == "ring" and target.get("type") == "escalation_policy":
        return parse_id(str(target.get("id")))
    return None


class OneUptimeRepository:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id
        self.routers = RouterRepository(session, project_id)

    async def project(self) -> Project:
        row = await self.session.get(Project, self.project_id)
        assert row is not None, "the key's project exists"
        return row

    async def all_routers(self) -> list[Router]:
        rows = await self.session.scalars(self.routers.scoped().order_by(Router.created_at))
        return list(rows.all())

    async def router(self, ref: str) -> Router | None:
        return await self.routers.by_ref(ref)

    async def numbers_of(self, routers: list[Router]) -> dict[uuid.UUID, list[PhoneNumber]]:
        return await self.routers.numbers_of([r.id for r in routers])

    async def policies(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, EscalationPolicy]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(EscalationPolicy).where(
                EscalationPolicy.project_id == self.project_id, EscalationPolicy.id.in_(ids)
            )
        )
        return {p.id: p for p in rows.all()}

    async def policy(self, policy_id: uuid.UUID) -> EscalationPolicy | None:
        return (await self.policies({policy_id})).get(policy_id)

    async def policy_named(self, name: str) -> EscalationPolicy | None:
        row: EscalationPolicy | None = await self.session.scalar(
            select(EscalationPolicy).where(
                EscalationPolicy.project_id == self.project_id, EscalationPolicy.name == name
            )
        )
        return row

    async def level(self, level_id: uuid.UUID) -> EscalationLevel | None:
        row: EscalationLevel | None = await self.session.scalar(
            select(EscalationLevel)
            .join(EscalationPolicy, EscalationPolicy.id == EscalationLevel.policy_id)
            .where(EscalationPolicy.project_id == self.project_id, EscalationLevel.id == level_id)
        )
        return row

    async def connections(self) -> dict[uuid.UUID, ProviderConnection]:
        rows = await self.session.scalars(
            select(ProviderConnection).where(ProviderConnection.project_id == self.project_id)
        )
        return {c.id: c for c in rows.all()}

    async def members(self, ids: set[uuid.UUID]) -> list[Member]:
        if not ids:
            return []
        rows = await self.session.scalars(
            select(Member).where(Member.project_id == self.project_id, Member.id.in_(ids))
        )
        return list(rows.all())

    async def teams(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        return await self._names(Team, ids)

    async def schedules(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        return await self._names(Schedule, ids)

    async def _names(
        self, model: type[Team | Schedule], ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        rows = await self.session.execute(
            select(model.id, model.name).where(
                model.project_id == self.project_id, model.id.in_(ids)
            )
        )
        return {row_id: name for row_id, name in rows.all()}

    async def label_names(self) -> set[str]:
        """Every label some router of the project carries."""
        rows = await self.session.scalars(
            select(Router.labels).where(Router.project_id == self.project_id)
        )
        return {label for labels in rows.all() for label in labels}
