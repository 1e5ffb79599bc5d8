"""Paging targets and alert urgencies named in a request, checked against the project.

A target must be a row of the caller's project of the named type: a ``service`` is a service,
a ``functionality`` a service of kind functionality. Anything else (unknown, another project's,
or of the wrong type) is a 422 naming the attribute, and never says whether the id exists
elsewhere.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.catalog.repository import ServiceRepository
from callroute.catalog.schemas import ServiceKind
from callroute.compat.rootly.schemas import PagingTargetIn, PagingTargetType
from callroute.compat.rootly.translate import Target
from callroute.errors import ValidationFailed
from callroute.escalation_policies.repository import PolicyRepository
from callroute.teams.repository import TeamRepository

_NOUNS = {
    PagingTargetType.SERVICE: "service",
    PagingTargetType.FUNCTIONALITY: "functionality",
    PagingTargetType.TEAM: "team",
    PagingTargetType.ESCALATION_POLICY: "escalation policy",
}


class TargetResolver:
    def __init__(
        self, session: AsyncSession, project_id: uuid.UUID, urgency_slugs: dict[uuid.UUID, str]
    ) -> None:
        self.session = session
        self.project_id = project_id
        self.urgency_slugs = urgency_slugs

    async def targets(self, items: list[PagingTargetIn], field: str) -> tuple[Target, ...]:
        resolved = []
        for index, item in enumerate(items):
            path = f"{field}[{index}]"
            await self.require(item.type, item.id, f"{path}.id")
            urgency = self.urgency(item.alert_urgency_id, f"{path}.alert_urgency_id")
            resolved.append(Target(item.type, item.id, urgency))
        return tuple(resolved)

    async def require(self, kind: PagingTargetType, target_id: uuid.UUID, field: str) -> None:
        if kind in (PagingTargetType.SERVICE, PagingTargetType.FUNCTIONALITY):
            service = await ServiceRepository(self.session, self.project_id).get(target_id)
            wanted = (
                ServiceKind.FUNCTIONALITY
                if kind == PagingTargetType.FUNCTIONALITY
                else ServiceKind.SERVICE
            )
            exists = service is not None and service.kind == wanted.value
        elif kind == PagingTargetType.TEAM:
            exists = await TeamRepository(self.session, self.project_id).get(target_id) is not None
        else:
            policies = PolicyRepository(self.session, self.project_id)
            exists = await policies.get(target_id) is not None
        if not exists:
            raise ValidationFailed(
                f"{field}: no {_NOUNS[kind]} {target_id} in this project", field=field
            )

    def urgency(self, urgency_id: uuid.UUID | None, field: str) -> str | None:
        """The native slug of an alert urgency id."""
        if urgency_id is None:
            return None
        slug = self.urgency_slugs.get(urgency_id)
        if slug is None:
            raise ValidationFailed(
                f"{field}: no alert urgency {urgency_id} in this project", field=field
            )
        return slug
