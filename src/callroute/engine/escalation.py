"""Escalation policies: who to ring, level by level, at a given instant.

:func:`resolve_policy` expands each level's targets (members, teams, schedules) into responders
with the phone numbers to try, and reports every target that yields nobody, with the reason, so
an operator can see why a level is empty. It does not ring anyone, wait, or shuffle: the call
engine does that with the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from callroute.engine.schedule import CompiledSchedule


class RingStrategy(StrEnum):
    SEQUENTIAL = "sequential"
    SIMULTANEOUS = "simultaneous"
    RANDOM = "random"


class TargetKind(StrEnum):
    MEMBER = "member"
    TEAM = "team"
    SCHEDULE = "schedule"


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: UUID


@dataclass(frozen=True)
class Level:
    targets: tuple[Target, ...]
    strategy: RingStrategy = RingStrategy.SEQUENTIAL
    ring_timeout_seconds: int = 30
    delay_seconds: int = 0


@dataclass(frozen=True)
class PolicySpec:
    levels: tuple[Level, ...]
    repeat_count: int = 0


@dataclass(frozen=True)
class Phone:
    number: str  # E.164
    label: str
    verified: bool


@dataclass(frozen=True)
class MemberContact:
    member_id: UUID
    name: str
    phones: tuple[Phone, ...]  # in try order


@dataclass(frozen=True)
class Directory:
    members: Mapping[UUID, MemberContact]
    teams: Mapping[UUID, tuple[UUID, ...]]  # team id -> member ids in order
    schedules: Mapping[UUID, CompiledSchedule]
    require_verified: bool = False


@dataclass(frozen=True)
class Responder:
    member_id: UUID
    name: str
    numbers: tuple[str, ...]  # E.164, in try order


# Reasons are fixed strings so callers (API, UI, alerts) can match on them.
UNKNOWN_MEMBER = "unknown member"
UNKNOWN_TEAM = "unknown team"
UNKNOWN_SCHEDULE = "unknown schedule"
NOBODY_ON_CALL = "schedule has nobody on call"
EMPTY_TEAM = "team has no members"
NO_PHONE = "member has no phone number"
NO_VERIFIED_PHONE = "member has no verified phone number"
NUMBERS_ALREADY_USED = "member's numbers are all rung for an earlier responder in this level"


@dataclass(frozen=True)
class Unresolved:
    target: Target
    reason: str
    # The member that could not be rung, when the target got as far as naming one: a team can
    # be half usable, and the operator needs to know which member to fix.
    member_id: UUID | None = None


@dataclass(frozen=True)
class ResolvedLevel:
    index: int
    strategy: RingStrategy
    ring_timeout_seconds: int
    delay_seconds: int
    responders: tuple[Responder, ...]
    unresolved: tuple[Unresolved, ...]


@dataclass(frozen=True)
class ResolvedPolicy:
    levels: tuple[ResolvedLevel, ...]
    repeat_count: int

    @property
    def nobody_available(self) -> bool:
        return not any(level.responders for level in self.levels)


def _target_members(
    target: Target, directory: Directory, at: datetime
) -> tuple[list[UUID], Unresolved | None]:
    """Member ids a target stands for at ``at``, or why it stands for nobody."""
    if target.kind == TargetKind.MEMBER:
        return [target.id], None
    if target.kind == TargetKind.TEAM:
        team = directory.teams.get(target.id)
        if team is None:
            return [], Unresolved(target, UNKNOWN_TEAM)
        if not team:
            return [], Unresolved(target, EMPTY_TEAM)
        return list(team), None
    schedule = directory.schedules.get(target.id)
    if schedule is None:
        return [], Unresolved(target, UNKNOWN_SCHEDULE)
    member_id = schedule.on_call_at(at)
    if member_id is None:
        return [], Unresolved(target, NOBODY_ON_CALL)
    return [member_id], None


def _resolve_level(index: int, level: Level, directory: Directory, at: datetime) -> ResolvedLevel:
    responders: list[Responder] = []
    unresolved: list[Unresolved] = []
    seen_members: set[UUID] = set()
    used_numbers: set[str] = set()
    for target in level.targets:
        member_ids, problem = _target_members(target, directory, at)
        if problem is not None:
            unresolved.append(problem)
        for member_id in member_ids:
            if member_id in seen_members:
                continue
            seen_members.add(member_id)
            contact = directory.members.get(member_id)
            if contact is None:
                unresolved.append(Unresolved(target, UNKNOWN_MEMBER, member_id))
                continue
            usable = [p for p in contact.phones if p.verified or not directory.require_verified]
            numbers: list[str] = []
            for phone in usable:
                if phone.number not in used_numbers:
                    used_numbers.add(phone.number)
                    numbers.append(phone.number)
            if numbers:
                responders.append(Responder(member_id, contact.name, tuple(numbers)))
            elif usable:
                unresolved.append(Unresolved(target, NUMBERS_ALREADY_USED, member_id))
            elif contact.phones:
                unresolved.append(Unresolved(target, NO_VERIFIED_PHONE, member_id))
            else:
                unresolved.append(Unresolved(target, NO_PHONE, member_id))
    return ResolvedLevel(
        index=index,
        strategy=level.strategy,
        ring_timeout_seconds=level.ring_timeout_seconds,
        delay_seconds=level.delay_seconds,
        responders=tuple(responders),
        unresolved=tuple(unresolved),
    )


def resolve_policy(policy: PolicySpec, directory: Directory, at: datetime) -> ResolvedPolicy:
    """Expand every level of ``policy`` into responders as of the instant ``at`` (aware).

    Targets expand in their configured order; within a level a member is rung once (first
    occurrence wins) and a number is rung once (a shared NOC phone goes to the first responder
    who has it). Levels are independent, so a member can appear again at a later level.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    return ResolvedPolicy(
        levels=tuple(
            _resolve_level(i, level, directory, at) for i, level in enumerate(policy.levels)
        ),
        repeat_count=policy.repeat_count,
    )
