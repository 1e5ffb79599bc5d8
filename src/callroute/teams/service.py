from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.errors import ValidationFailed
from callroute.escalation_policies.repository import PolicyRepository
from callroute.integrity.repository import Reference
from callroute.integrity.service import IntegrityService
from callroute.members.repository import MemberRepository
from callroute.models import Team, TeamMember
from callroute.teams.repository import TeamRepository
from callroute.teams.schemas import TeamCreate, TeamListQuery, TeamUpdate
from callroute.validation import found, reject_nulls, require_existing, require_unique_name


class TeamService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.repo = TeamRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock

    async def create(self, data: TeamCreate) -> Team:
        await require_unique_name(self.repo, data.name, None, "team")
        await self._check_refs(data.member_ids, data.default_escalation_policy_id)
        now = self.clock.now()
        team = Team(
            project_id=self.project_id,
            name=data.name,
            description=data.description,
            default_escalation_policy_id=data.default_escalation_policy_id,
            created_at=now,
            updated_at=now,
        )
        team.memberships = _memberships(data.member_ids)
        self.repo.add(team)
        await self.session.flush()
        return team

    async def get(self, team_ref: str) -> Team:
        return await found(self.repo, team_ref, "team")

    async def page(self, query: TeamListQuery) -> PageResult[Team]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, team_ref: str, data: TeamUpdate) -> Team:
        team = await self.get(team_ref)
        sent = data.model_fields_set
        reject_nulls(data, nullable=frozenset({"default_escalation_policy_id"}))
        await self._check_refs(data.member_ids or [], data.default_escalation_policy_id)
        if data.name is not None and data.name != team.name:
            await require_unique_name(self.repo, data.name, team.id, "team")
            team.name = data.name
        if data.description is not None:
            team.description = data.description
        if "default_escalation_policy_id" in sent:
            team.default_escalation_policy_id = data.default_escalation_policy_id
        if data.member_ids is not None:
            team.memberships = []
            await self.session.flush()  # old rows go before new ones share their keys
            team.memberships = _memberships(data.member_ids)
        team.updated_at = self.clock.now()
        await self.session.flush()
        return team

    async def delete(self, team_ref: str, *, force: bool) -> tuple[uuid.UUID, list[Reference]]:
        team = await self.get(team_ref)
        removed = await IntegrityService(self.session, self.project_id).release(
            "team", team.id, f"team {team.name!r}", force=force
        )
        await self.repo.delete(team)
        return team.id, removed

    async def _check_refs(self, member_ids: list[uuid.UUID], policy_id: uuid.UUID | None) -> None:
        seen: set[uuid.UUID] = set()
        for index, member_id in enumerate(member_ids):
            if member_id in seen:
                field = f"member_ids[{index}]"
                raise ValidationFailed(f"{field}: member {member_id} is listed twice", field=field)
            seen.add(member_id)
        await require_existing(
            MemberRepository(self.session, self.project_id),
            [(f"member_ids[{i}]", m) for i, m in enumerate(member_ids)],
            "member",
        )
        if policy_id is not None:
            await require_existing(
                PolicyRepository(self.session, self.project_id),
                [("default_escalation_policy_id", policy_id)],
                "escalation policy",
            )


def _memberships(member_ids: list[uuid.UUID]) -> list[TeamMember]:
    return [TeamMember(member_id=m, position=i) for i, m in enumerate(member_ids)]
