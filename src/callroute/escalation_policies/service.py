from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.engine.escalation import ResolvedPolicy, TargetKind, resolve_policy
from callroute.errors import NotFound, ValidationFailed
from callroute.escalation_policies.repository import PolicyRepository, TargetRepository
from callroute.escalation_policies.schemas import (
    MAX_LEVELS,
    MAX_POSITION,
    LevelIn,
    LevelUpdate,
    PolicyCreate,
    PolicyFields,
    PolicyListQuery,
    PolicyUpdate,
    TargetIn,
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

    # -- one level at a time: for APIs whose levels are objects of their own (OneUptime's
    # escalation rules), which keep their ids while the others change. Each applies the rules
    # of a whole-policy write; a field is named as in a level (``targets[0].id``), the number
    # of levels as ``levels``, a place as ``position``.

    async def add_level(
        self, policy_ref: str, data: LevelIn, position: int | None = None
    ) -> EscalationLevel:
        """One more level, after the last or at ``position``: the levels from there on move
        one place later."""
        policy = await self.get(policy_ref)
        _check_count(len(policy.levels) + 1)
        await self._check_targets([("", data.targets)])
        if position is None:
            position = max((level.position for level in policy.levels), default=-1) + 1
        _check_position(position)
        now = self.clock.now()
        for other in policy.levels:
            if other.position >= position:
                _move(other, other.position + 1, now)
        level = _level(data, position, now)
        policy.levels.append(level)
        policy.updated_at = now
        await self.session.flush()
        return level

    async def update_level(
        self, policy_ref: str, level_id: uuid.UUID, data: LevelUpdate
    ) -> EscalationLevel:
        """Change the fields given; targets equal to the level's change nothing."""
        policy = await self.get(policy_ref)
        level = _level_of(policy, level_id)
        reject_nulls(data)
        if data.targets is not None:
            await self._check_targets([("", data.targets)])
        if data.name is not None:
            level.name = data.name
        if data.description is not None:
            level.description = data.description
        if data.strategy is not None:
            level.strategy = data.strategy.value
        if data.ring_timeout_seconds is not None:
            level.ring_timeout_seconds = data.ring_timeout_seconds
        if data.delay_seconds is not None:
            level.delay_seconds = data.delay_seconds
        if data.targets is not None and _target_keys(level) != [
            (t.type.value, t.id) for t in data.targets
        ]:
            level.targets = _targets(data.targets)
        now = self.clock.now()
        level.updated_at = now
        policy.updated_at = now
        await self.session.flush()
        return level

    async def move_level(
        self, policy_ref: str, level_id: uuid.UUID, position: int
    ) -> EscalationLevel:
        """Move a level to ``position``. Moving it earlier moves the levels in [position,
        current) one place later; moving it later moves those in (current, position] one place
        earlier; the gaps elsewhere stay."""
        policy = await self.get(policy_ref)
        level = _level_of(policy, level_id)
        _check_position(position)
        now = self.clock.now()
        current = level.position
        for other in policy.levels:
            if other is level:
                continue
            if position < current and position <= other.position < current:
                _move(other, other.position + 1, now)
            elif position > current and current < other.position <= position:
                _move(other, other.position - 1, now)
        _move(level, position, now)
        policy.updated_at = now
        await self.session.flush()
        return level

    async def remove_level(self, policy_ref: str, level_id: uuid.UUID) -> None:
        """Remove a level; the levels after it move one place earlier. The last one may go: the
        policy then rings nobody, like one created without levels, until a level is added."""
        policy = await self.get(policy_ref)
        level = _level_of(policy, level_id)
        now = self.clock.now()
        policy.levels.remove(level)
        for other in policy.levels:
            if other.position > level.position:
                _move(other, other.position - 1, now)
        policy.updated_at = now
        await self.session.flush()

    # -- the rules of levels ------------------------------------------------------------------

    async def _check_levels(self, levels: list[LevelIn]) -> None:
        _check_count(len(levels))
        await self._check_targets(
            [(f"levels[{i}].", level.targets) for i, level in enumerate(levels)]
        )

    async def _check_targets(self, levels: list[tuple[str, list[TargetIn]]]) -> None:
        """Each level's targets (with the prefix of its fields) are listed once in the level
        and are the project's own members, teams and schedules."""
        refs: dict[TargetKind, list[tuple[str, uuid.UUID]]] = {kind: [] for kind in TargetKind}
        for prefix, targets in levels:
            seen: set[tuple[TargetKind, uuid.UUID]] = set()
            for j, target in enumerate(targets):
                field = f"{prefix}targets[{j}]"
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


def _check_count(count: int) -> None:
    if count > MAX_LEVELS:
        raise ValidationFailed(f"levels: a policy has at most {MAX_LEVELS} levels", field="levels")


def _check_position(position: int) -> None:
    if not 0 <= position <= MAX_POSITION:
        raise ValidationFailed(
            f"position: {position} is not a level position (0 to {MAX_POSITION})",
            field="position",
        )


def _level_of(policy: EscalationPolicy, level_id: uuid.UUID) -> EscalationLevel:
    for level in policy.levels:
        if level.id == level_id:
            return level
    raise NotFound(f"no level {level_id} in escalation policy {policy.id}")


def _move(level: EscalationLevel, position: int, now: datetime) -> None:
    level.position = position
    level.updated_at = now


def _target_keys(level: EscalationLevel) -> list[tuple[str, uuid.UUID]]:
    return [(t.kind, t.target_id) for t in sorted(level.targets, key=lambda t: t.position)]


def _levels(levels: list[LevelIn], now: datetime) -> list[EscalationLevel]:
    return [_level(level, position, now) for position, level in enumerate(levels)]


def _level(level: LevelIn, position: int, now: datetime) -> EscalationLevel:
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
    row.targets = _targets(level.targets)
    return row


def _targets(targets: list[TargetIn]) -> list[EscalationTarget]:
    return [
        EscalationTarget(
            position=index,
            kind=target.type.value,
            member_id=target.id if target.type == TargetKind.MEMBER else None,
            team_id=target.id if target.type == TargetKind.TEAM else None,
            schedule_id=target.id if target.type == TargetKind.SCHEDULE else None,
        )
        for index, target in enumerate(targets)
    ]
