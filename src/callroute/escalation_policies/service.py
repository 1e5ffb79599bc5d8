from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.engine.escalation import ResolvedPolicy, TargetKind, resolve_policy
from callroute.errors import ValidationFailed
from callroute.escalation_policies.repository import PolicyRepository, TargetRepository
from callroute.escalation_policies.schemas import (
    LevelIn,
    PolicyCreate,
    PolicyFields,
    PolicyListQuery,
    PolicyUpdate,
)
from callroute.integrity.repository import Reference
from callroute.integrity.service import IntegrityService
from callroute.models import (
    EscalationLevel,
    EscalationPolicy,
    EscalationTarget,
    Member,
    Schedule,
    Team,
)
from callroute.oncall.loader import DirectoryLoader
from callroute.oncall.specs import policy_spec
from callroute.validation import found, reject_nulls, require_existing, require_unique_name

_TARGET_MODELS: dict[TargetKind, type[Member | Team | Schedule]] = {
    TargetKind.MEMBER: Member,
    TargetKind.TEAM: Team,
    TargetKind.SCHEDULE: Schedule,
}


class PolicyService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.repo = PolicyRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock

    async def create(self, data: PolicyCreate) -> EscalationPolicy:
        return await self._insert(data, data.levels)

    async def create_without_levels(self, data: PolicyFields) -> EscalationPolicy:
        """A policy whose levels come later, one at a time: for APIs that write a policy's
        escalation rules apart from the policy (OneUptime). It rings nobody until then."""
        return await self._insert(data, [])

    async def _insert(self, data: PolicyFields, levels: list[LevelIn]) -> EscalationPolicy:
        await require_unique_name(self.repo, data.name, None, "escalation policy")
        await self._check_levels(levels)
        now = self.clock.now()
        policy = EscalationPolicy(
            project_id=self.project_id,
            name=data.name,
            description=data.description,
            repeat_count=data.repeat_count,
            created_at=now,
            updated_at=now,
        )
        policy.levels = _levels(levels, now)
        self.repo.add(policy)
        await self.session.flush()
        return policy

    async def get(self, policy_ref: str) -> EscalationPolicy:
        return await found(self.repo, policy_ref, "escalation policy")

    async def page(self, query: PolicyListQuery) -> PageResult[EscalationPolicy]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, policy_ref: str, data: PolicyUpdate) -> EscalationPolicy:
        policy = await self.get(policy_ref)
        reject_nulls(data)
        now = self.clock.now()
        if data.name is not None and data.name != policy.name:
            await require_unique_name(self.repo, data.name, policy.id, "escalation policy")
            policy.name = data.name
        if data.description is not None:
            policy.description = data.description
        if data.repeat_count is not None:
            policy.repeat_count = data.repeat_count
        if data.levels is not None:
            await self._check_levels(data.levels)
            policy.levels = _levels(data.levels, now)
        policy.updated_at = now
        await self.session.flush()
        return policy

    async def delete(self, policy_ref: str, *, force: bool) -> tuple[uuid.UUID, list[Reference]]:
        policy = await self.get(policy_ref)
        removed = await IntegrityService(self.session, self.project_id).release(
            "escalation_policy", policy.id, f"escalation policy {policy.name!r}", force=force
        )
        await self.repo.delete(policy)
        return policy.id, removed

    async def on_call(self, policy_ref: str, at: datetime | None) -> ResolvedPolicy:
        policy = await self.get(policy_ref)
        spec = policy_spec(policy)
        moment = at or self.clock.now()
        directory = await DirectoryLoader(self.session, self.project_id).directory(spec, moment)
        return resolve_policy(spec, directory, moment)

    async def _check_levels(self, levels: list[LevelIn]) -> None:
        refs: dict[TargetKind, list[tuple[str, uuid.UUID]]] = {kind: [] for kind in TargetKind}
        for i, level in enumerate(levels):
            seen: set[tuple[TargetKind, uuid.UUID]] = set()
            for j, target in enumerate(level.targets):
                field = f"levels[{i}].targets[{j}]"
                if (target.type, target.id) in seen:
                    raise ValidationFailed(
                        f"{field}: this target is listed twice in the level", field=field
                    )
                seen.add((target.type, target.id))
                refs[target.type].append((f"{field}.id", target.id))
        for kind, pairs in refs.items():
            if pairs:
                repo = TargetRepository(self.session, self.project_id, _TARGET_MODELS[kind])
                await require_existing(repo, pairs, kind.value)


def _levels(levels: list[LevelIn], now: datetime) -> list[EscalationLevel]:
    built = []
    for position, level in enumerate(levels):
        row = EscalationLevel(
            position=position,
            name=level.name,
            description=level.description,
            created_at=now,
            updated_at=now,
            strategy=level.strategy.value,
            ring_timeout_seconds=level.ring_timeout_seconds,
            delay_seconds=level.delay_seconds,
        )
        row.targets = [
            EscalationTarget(
                position=index,
                kind=target.type.value,
                member_id=target.id if target.type == TargetKind.MEMBER else None,
                team_id=target.id if target.type == TargetKind.TEAM else None,
                schedule_id=target.id if target.type == TargetKind.SCHEDULE else None,
            )
            for index, target in enumerate(level.targets)
        ]
        built.append(row)
    return built
