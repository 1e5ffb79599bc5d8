"""Escalation rules, written as levels of the escalation policy a policy's router rings.

Orders behave as in OneUptime: a rule created without one goes last; creating at order n moves
every rule from n on down by one; moving a rule shifts the rules it passes; deleting one moves
the rules after it up. Each rule rings one member (or a schedule's on-call member, or a team one
member after another) for ``escalateAfterSeconds``, then the engine moves to the next rule.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.auth.principal import Principal
from callroute.clock import Clock
from callroute.compat.oneuptime.memory import InMemoryCollection
from callroute.compat.oneuptime.repository import OneUptimeRepository, rung_policy_id
from callroute.compat.oneuptime.rules.documents import NOUN, Directory, rule_document
from callroute.compat.oneuptime.rules.schemas import (
    CREATE_ONLY,
    DEFAULT_ESCALATE_AFTER,
    NO_TARGET,
    READ_ONLY,
    TARGETS,
    TWO_TARGETS,
    RuleData,
)
from callroute.compat.oneuptime.translate import (
    IGNORED_ON_UPDATE,
    not_found,
    nothing_to_update,
    refuse_read_only,
    reject_nulls,
    validate,
)
from callroute.compat.oneuptime.wire import JSON
from callroute.errors import ValidationFailed
from callroute.escalation_policies.schemas import MAX_LEVELS
from callroute.ids import parse_id
from callroute.models import EscalationLevel, EscalationPolicy, EscalationTarget, Router

_NOT_NULL = ("order", "escalateAfterSeconds")


class RuleCollection(InMemoryCollection):
    def __init__(self, session: AsyncSession, principal: Principal, clock: Clock) -> None:
        self.session = session
        self.project_id = principal.project_id
        self.clock = clock
        self.repo = OneUptimeRepository(session, self.project_id)

    # -- reading ------------------------------------------------------------------------------

    async def _owners(self) -> tuple[dict[uuid.UUID, Router], dict[uuid.UUID, EscalationPolicy]]:
        """Each rung escalation policy with the router whose rules it holds: the oldest router
        that rings it, when several do."""
        owners: dict[uuid.UUID, Router] = {}
        for router in await self.repo.all_routers():
            policy_id = rung_policy_id(router)
            if policy_id is not None:
                owners.setdefault(policy_id, router)
        return owners, await self.repo.policies(set(owners))

    async def documents(self) -> list[JSON]:
        owners, policies = await self._owners()
        levels = [(lv, owners[p.id]) for p in policies.values() for lv in p.levels]
        directory = await self._directory([lv for lv, _ in levels])
        project = await self.repo.project()
        return [rule_document(lv, router, project, directory) for lv, router in levels]

    async def _directory(self, levels: list[EscalationLevel]) -> Directory:
        ids: dict[str, set[uuid.UUID]] = {"member": set(), "team": set(), "schedule": set()}
        for level in levels:
            for target in level.targets:
                ids[target.kind].add(target.target_id)
        return Directory(
            members={
                m.id: {"_id": m.id, "name": m.name, "email": m.email}
                for m in await self.repo.members(ids["member"])
            },
            teams={
                k: {"_id": k, "name": v} for k, v in (await self.repo.teams(ids["team"])).items()
            },
            schedules={
                k: {"_id": k, "name": v}
                for k, v in (await self.repo.schedules(ids["schedule"])).items()
            },
        )

    async def get(self, ref: str) -> JSON:
        level, router, _ = await self._rule(ref)
        directory = await self._directory([level])
        return rule_document(level, router, await self.repo.project(), directory)

    async def _rule(self, ref: str) -> tuple[EscalationLevel, Router, EscalationPolicy]:
        level_id = parse_id(ref)
        level = await self.repo.level(level_id) if level_id else None
        if level is not None:
            owners, policies = await self._owners()
            if level.policy_id in owners:
                return level, owners[level.policy_id], policies[level.policy_id]
        raise not_found(NOUN, ref)

    # -- writing ------------------------------------------------------------------------------

    async def create(self, data: JSON) -> JSON:
        refuse_read_only(data, READ_ONLY, NOUN, "create")
        parsed = validate(RuleData, data)
        reject_nulls(data, _NOT_NULL)
        if parsed.project_id not in (None, self.project_id):
            raise ValidationFailed(
                f"projectId: {parsed.project_id} is not the project of this API key",
                field="projectId",
            )
        policy = await self._rules_of(parsed.incoming_call_policy_id)
        kind, target_id = self._target(parsed, None)
        await self._check_target(kind, target_id)
        if len(policy.levels) >= MAX_LEVELS:
            raise ValidationFailed(
                f"incomingCallPolicyId: a policy has at most {MAX_LEVELS} escalation rules",
                field="incomingCallPolicyId",
            )
        now = self.clock.now()
        last = max((lv.position for lv in policy.levels), default=-1)
        position = last + 1 if parsed.order is None else parsed.order - 1
        for other in policy.levels:
            if other.position >= position:
                _move(other, other.position + 1, now)
        level = EscalationLevel(
            position=position,
            name=parsed.name or "",
            description=parsed.description or "",
            strategy="sequential",
            ring_timeout_seconds=parsed.escalate_after_seconds or DEFAULT_ESCALATE_AFTER,
            delay_seconds=0,
            created_at=now,
            updated_at=now,
        )
        level.targets = [_target_row(kind, target_id)]
        policy.levels.append(level)
        policy.updated_at = now
        await self.session.flush()
        return await self.get(str(level.id))

    async def update(self, ref: str, data: JSON) -> None:
        level, _router, policy = await self._rule(ref)
        data = {k: v for k, v in data.items() if k not in IGNORED_ON_UPDATE}
        nothing_to_update(data)
        refuse_read_only(data, READ_ONLY | CREATE_ONLY, NOUN, "update")
        parsed = validate(RuleData, data)
        reject_nulls(data, _NOT_NULL)
        sent = parsed.model_fields_set
        now = self.clock.now()
        if "name" in sent:
            level.name = parsed.name or ""
        if "description" in sent:
            level.description = parsed.description or ""
        if parsed.escalate_after_seconds is not None:
            level.ring_timeout_seconds = parsed.escalate_after_seconds
        if sent & set(TARGETS):
            current = min(level.targets, key=lambda t: t.position) if level.targets else None
            kind, target_id = self._target(parsed, current)
            await self._check_target(kind, target_id)
            if current is None or (current.kind, current.target_id) != (kind, target_id):
                level.targets = []
                await self.session.flush()
                level.targets = [_target_row(kind, target_id)]
        if parsed.order is not None:
            _reorder(policy, level, parsed.order - 1, now)
        level.updated_at = now
        policy.updated_at = now
        await self.session.flush()

    async def delete(self, ref: str) -> None:
        level, _router, policy = await self._rule(ref)
        now = self.clock.now()
        position = level.position
        policy.levels.remove(level)
        for other in policy.levels:
            if other.position > position:
                _move(other, other.position - 1, now)
        policy.updated_at = now
        await self.session.flush()

    # -- helpers ------------------------------------------------------------------------------

    async def _rules_of(self, router_id: uuid.UUID | None) -> EscalationPolicy:
        field = "incomingCallPolicyId"
        if router_id is None:
            raise ValidationFailed(f"{field}: field required", field=field)
        router = await self.repo.router(str(router_id))
        if router is None:
            raise ValidationFailed(
                f"{field}: no Incoming Call Policy {router_id} in this project", field=field
            )
        policy_id = rung_policy_id(router)
        policy = await self.repo.policy(policy_id) if policy_id else None
        if policy is None:
            raise ValidationFailed(
                f"{field}: the router of this policy does not ring an escalation policy, so it "
                "takes no escalation rules; change its action in the native API",
                field=field,
            )
        return policy

    def _target(self, parsed: RuleData, current: EscalationTarget | None) -> tuple[str, uuid.UUID]:
        """The one target the rule names after this write: setting one clears the others."""
        sent = parsed.model_fields_set & set(TARGETS)
        given = [
            (TARGETS[a][1], getattr(parsed, a)) for a in sent if getattr(parsed, a) is not None
        ]
        if len(given) > 1:
            raise ValidationFailed(TWO_TARGETS, field="userId")
        if given:
            return given[0]
        cleared = current is not None and any(TARGETS[a][1] == current.kind for a in sent)
        if current is None or cleared:
            raise ValidationFailed(NO_TARGET, field="userId")
        return current.kind, current.target_id

    async def _check_target(self, kind: str, target_id: uuid.UUID) -> None:
        found = await self.repo.exists(kind, target_id)
        if not found:
            column = next(column for column, k in TARGETS.values() if k == kind)
            noun = {"member": "user", "team": "team", "schedule": "on-call schedule"}[kind]
            raise ValidationFailed(f"{column}: no {noun} {target_id} in this project", field=column)


def _target_row(kind: str, target_id: uuid.UUID) -> EscalationTarget:
    return EscalationTarget(
        position=0,
        kind=kind,
        member_id=target_id if kind == "member" else None,
        team_id=target_id if kind == "team" else None,
        schedule_id=target_id if kind == "schedule" else None,
    )


def _move(level: EscalationLevel, position: int, now: datetime) -> None:
    level.position = position
    level.updated_at = now


def _reorder(policy: EscalationPolicy, level: EscalationLevel, new: int, now: datetime) -> None:
    """OneUptime's reordering: moving up pushes the rules in [new, current) down one place,
    moving down pulls the rules in (current, new] up one place."""
    current = level.position
    for other in policy.levels:
        if other is level:
            continue
        if new < current and new <= other.position < current:
            _move(other, other.position + 1, now)
        elif new > current and current < other.position <= new:
            _move(other, other.position - 1, now)
    level.position = new
