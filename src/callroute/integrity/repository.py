"""Queries for "which objects reference this one". Every query is limited to one project."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
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
