"""Escalation rules, written as levels of the escalation policy a policy's router rings.

A rule is one level, added, changed, moved and removed by the core's ``PolicyService`` one level
at a time, so that the other rules keep their ids; the rules of levels (how many a policy has,
which targets exist, ring timeouts, how orders move) are the core's, said here with OneUptime's
column names. Orders behave as in OneUptime: a rule created without one goes last; creating at
order n moves every rule from n on down by one; moving a rule shifts the rules it passes;
deleting one moves the rules after it up. Each rule rings one member (or a schedule's on-call
member, or a team one member after another) for ``escalateAfterSeconds``, then the engine moves
to the next rule.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.auth.principal import Principal
from callroute.clock import Clock
from callroute.compat.fields import native_fields
from callroute.compat.oneuptime.memory import InMemoryCollection
from callroute.compat.oneuptime.repository import OneUptimeRepository, rung_policy_id
from callroute.compat.oneuptime.rules.documents import (
    NOUN,
    TARGET_COLUMNS,
    Directory,
    rule_document,
)
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
from callroute.engine.escalation import RingStrategy, TargetKind
from callroute.errors import ValidationFailed
from callroute.escalation_policies.schemas import LevelIn, LevelUpdate
from callroute.escalation_policies.service import PolicyService
from callroute.ids import parse_id
from callroute.models import EscalationLevel, EscalationPolicy, EscalationTarget, Router

_NOT_NULL = ("order", "escalateAfterSeconds")
# Native field → the OneUptime column a core error should name; a level's targets are named
# by the column of the target the rule names (_renames).
_RENAMES = {
    "levels": "incomingCallPolicyId",
    "position": "order",
    "ring_timeout_seconds": "escalateAfterSeconds",
}


class RuleCollection(InMemoryCollection):
    def __init__(self, session: AsyncSession, principal: Principal, clock: Clock) -> None:
        self.session = session
        self.project_id = principal.project_id
        self.clock = clock
        self.repo = OneUptimeRepository(session, self.project_id)
        self.policies = PolicyService(session, self.project_id, clock)

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
        timeout = parsed.escalate_after_seconds
        level: dict[str, Any] = {
            "name": parsed.name or "",
            "description": parsed.description or "",
            "targets": [{"type": kind, "id": target_id}],
            # One person after another, as OneUptime rings a rule, and straight on to the next.
            "strategy": RingStrategy.SEQUENTIAL,
            "ring_timeout_seconds": DEFAULT_ESCALATE_AFTER if timeout is None else timeout,
            "delay_seconds": 0,
        }
        position = None if parsed.order is None else parsed.order - 1
        with native_fields(_renames(kind)):
            added = await self.policies.add_level(
                str(policy.id), validate(LevelIn, level), position
            )
        return await self.get(str(added.id))

    async def update(self, ref: str, data: JSON) -> None:
        level, _router, policy = await self._rule(ref)
        data = {k: v for k, v in data.items() if k not in IGNORED_ON_UPDATE}
        nothing_to_update(data)
        refuse_read_only(data, READ_ONLY | CREATE_ONLY, NOUN, "update")
        parsed = validate(RuleData, data)
        reject_nulls(data, _NOT_NULL)
        sent = parsed.model_fields_set
        change: dict[str, Any] = {}
        if "name" in sent:
            change["name"] = parsed.name or ""
        if "description" in sent:
            change["description"] = parsed.description or ""
        if parsed.escalate_after_seconds is not None:
            change["ring_timeout_seconds"] = parsed.escalate_after_seconds
        kind: TargetKind | None = None
        if sent & set(TARGETS):
            current = min(level.targets, key=lambda t: t.position) if level.targets else None
            kind, target_id = self._target(parsed, current)
            # The rule's own target again keeps a native level's other targets.
            if current is None or (current.kind, current.target_id) != (kind, target_id):
                change["targets"] = [{"type": kind, "id": target_id}]
        with native_fields(_renames(kind)):
            await self.policies.update_level(
                str(policy.id), level.id, validate(LevelUpdate, change)
            )
            if parsed.order is not None:
                await self.policies.move_level(str(policy.id), level.id, parsed.order - 1)

    async def delete(self, ref: str) -> None:
        level, _router, policy = await self._rule(ref)
        await self.policies.remove_level(str(policy.id), level.id)

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

    def _target(
        self, parsed: RuleData, current: EscalationTarget | None
    ) -> tuple[TargetKind, uuid.UUID]:
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
        return TargetKind(current.kind), current.target_id


def _renames(kind: TargetKind | None) -> dict[str, str]:
    """The core's field names, as this write's columns: a level's targets are the rule's one."""
    if kind is None:
        return _RENAMES
    return {**_RENAMES, "targets": TARGET_COLUMNS[kind][0]}
