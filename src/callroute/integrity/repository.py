"""Queries for "which objects reference this one", and for removing those references. Every
query is limited to one project."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.models import (
    EscalationLevel,
    EscalationPolicy,
    EscalationTarget,
    Router,
    Schedule,
    ScheduleLayer,
    ScheduleLayerMember,
    ScheduleOverride,
    Service,
    Team,
    TeamMember,
)

M = TypeVar("M")


@dataclass(frozen=True)
class Reference:
    """One object that points at the one being deleted, and where."""

    type: str  # team | schedule | escalation_policy | service
    id: uuid.UUID
    name: str
    via: str  # human words: "rotation of layer 'Weekdays'", "level 2 target"

    def as_detail(self) -> dict[str, str | None]:
        return {"type": self.type, "id": str(self.id), "name": self.name, "via": self.via}


class ReferenceRepository:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    async def policy_targets(self, column: str, target_id: uuid.UUID) -> list[Reference]:
        target_column = getattr(EscalationTarget, column)
        rows = await self.session.execute(
            select(EscalationPolicy.id, EscalationPolicy.name, EscalationLevel.position)
            .join(EscalationLevel, EscalationLevel.policy_id == EscalationPolicy.id)
            .join(EscalationTarget, EscalationTarget.level_id == EscalationLevel.id)
            .where(EscalationPolicy.project_id == self.project_id, target_column == target_id)
            .order_by(EscalationPolicy.name, EscalationLevel.position)
        )
        return [
            Reference("escalation_policy", pid, name, f"target of level {position + 1}")
            for pid, name, position in rows.all()
        ]

    async def member_references(self, member_id: uuid.UUID) -> list[Reference]:
        refs: list[Reference] = []
        teams = await self.session.execute(
            select(Team.id, Team.name)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.project_id == self.project_id, TeamMember.member_id == member_id)
            .order_by(Team.name)
        )
        refs += [Reference("team", tid, name, "team member") for tid, name in teams.all()]
        layers = await self.session.execute(
            select(Schedule.id, Schedule.name, ScheduleLayer.name)
            .join(ScheduleLayer, ScheduleLayer.schedule_id == Schedule.id)
            .join(ScheduleLayerMember, ScheduleLayerMember.layer_id == ScheduleLayer.id)
            .where(
                Schedule.project_id == self.project_id, ScheduleLayerMember.member_id == member_id
            )
            .distinct()
            .order_by(Schedule.name, ScheduleLayer.name)
        )
        refs += [
            Reference("schedule", sid, name, f"rotation of layer {layer!r}")
            for sid, name, layer in layers.all()
        ]
        overrides = await self.session.execute(
            select(Schedule.id, Schedule.name, ScheduleOverride.id)
            .join(ScheduleOverride, ScheduleOverride.schedule_id == Schedule.id)
            .where(Schedule.project_id == self.project_id, ScheduleOverride.member_id == member_id)
            .order_by(Schedule.name, ScheduleOverride.starts_at)
        )
        refs += [
            Reference("schedule", sid, name, f"override {oid}")
            for sid, name, oid in overrides.all()
        ]
        refs += await self.policy_targets("member_id", member_id)
        return refs

    async def router_references(self, object_id: uuid.UUID) -> list[Reference]:
        """Routers whose pipeline names the object (a ring target, a SIP trunk, a bot).

        Router documents are small and few per project; reading them beats indexing JSON
        differently on each dialect.
        """
        wanted = str(object_id)
        routers = await self.session.execute(
            select(Router.id, Router.name, Router.config)
            .where(Router.project_id == self.project_id)
            .order_by(Router.name)
        )
        return [
            Reference("router", rid, name, "used in its pipeline")
            for rid, name, config in routers.all()
            if wanted in json.dumps(config)
        ]

    async def policy_references(self, policy_id: uuid.UUID) -> list[Reference]:
        services = await self.session.execute(
            select(Service.id, Service.name)
            .where(Service.project_id == self.project_id, Service.escalation_policy_id == policy_id)
            .order_by(Service.name)
        )
        teams = await self.session.execute(
            select(Team.id, Team.name)
            .where(
                Team.project_id == self.project_id,
                Team.default_escalation_policy_id == policy_id,
            )
            .order_by(Team.name)
        )
        return [Reference("service", sid, name, "escalation policy") for sid, name in services] + [
            Reference("team", tid, name, "default escalation policy") for tid, name in teams
        ]

    # -- removing references (``IntegrityService.release`` with ``force``) ----------------------

    async def teams_with_member(self, member_id: uuid.UUID) -> list[Team]:
        team_ids = await self._ids(
            select(TeamMember.team_id).where(TeamMember.member_id == member_id)
        )
        return await self._load(Team, team_ids)

    async def schedules_with_member(self, member_id: uuid.UUID) -> list[Schedule]:
        """Schedules with the member in a rotation (overrides are :meth:`delete_overrides_of`)."""
        schedule_ids = await self._ids(
            select(ScheduleLayer.schedule_id)
            .join(ScheduleLayerMember, ScheduleLayerMember.layer_id == ScheduleLayer.id)
            .where(ScheduleLayerMember.member_id == member_id)
        )
        return await self._load(Schedule, schedule_ids)

    async def delete_overrides_of(self, member_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(ScheduleOverride).where(
                ScheduleOverride.project_id == self.project_id,
                ScheduleOverride.member_id == member_id,
            )
        )

    async def policies_targeting(self, column: str, target_id: uuid.UUID) -> list[EscalationPolicy]:
        """Escalation policies with a level target whose ``column`` is ``target_id``."""
        target_column = getattr(EscalationTarget, column)
        policy_ids = await self._ids(
            select(EscalationLevel.policy_id)
            .join(EscalationTarget, EscalationTarget.level_id == EscalationLevel.id)
            .where(target_column == target_id)
        )
        return await self._load(EscalationPolicy, policy_ids)

    async def unset_policy(self, policy_id: uuid.UUID) -> None:
        """Services and teams that name the policy as theirs name none any more."""
        await self.session.execute(
            update(Service)
            .where(Service.project_id == self.project_id, Service.escalation_policy_id == policy_id)
            .values(escalation_policy_id=None)
        )
        await self.session.execute(
            update(Team)
            .where(
                Team.project_id == self.project_id, Team.default_escalation_policy_id == policy_id
            )
            .values(default_escalation_policy_id=None)
        )

    async def _ids(self, stmt: Select[uuid.UUID]) -> list[uuid.UUID]:
        return list(dict.fromkeys((await self.session.scalars(stmt)).all()))

    async def _load(self, model: type[M], ids: Iterable[uuid.UUID]) -> list[M]:
        wanted = list(ids)
        if not wanted:
            return []
        scoped = cast(Any, model)  # every model loaded here is project-scoped
        rows = await self.session.scalars(
            select(model).where(scoped.project_id == self.project_id, scoped.id.in_(wanted))
        )
        return list(rows.all())
