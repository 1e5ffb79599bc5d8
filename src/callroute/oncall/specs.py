"""ORM rows → the pure engine's frozen specs. No queries here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, timedelta

from callroute.engine.escalation import (
    Level,
    MemberContact,
    Phone,
    PolicySpec,
    RingStrategy,
    TargetKind,
)
from callroute.engine.escalation import Target as EngineTarget
from callroute.engine.schedule import (
    Layer,
    Override,
    Restriction,
    RestrictionKind,
    RotationUnit,
    ScheduleSpec,
)
from callroute.models import (
    EscalationPolicy,
    Member,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_clock(value: str) -> time:
    return time.fromisoformat(value)


def restriction_spec(raw: dict[str, object]) -> Restriction:
    start_day = raw.get("start_day")
    minutes = raw["duration_minutes"]
    assert isinstance(minutes, int)
    return Restriction(
        kind=RestrictionKind(str(raw["kind"])),
        start_time=parse_clock(str(raw["start_time"])),
        duration=timedelta(minutes=minutes),
        start_day=WEEKDAYS.index(str(start_day)) if start_day is not None else None,
    )


def layer_spec(layer: ScheduleLayer) -> Layer:
    return Layer(
        start=layer.starts_at,
        end=layer.ends_at,
        rotation_length=layer.rotation_length,
        rotation_unit=RotationUnit(layer.rotation_unit),
        members=tuple(slot.member_id for slot in layer.members),
        handoff_time=parse_clock(layer.handoff_time) if layer.handoff_time else None,
        restrictions=tuple(restriction_spec(r) for r in layer.restrictions),
    )


def schedule_spec(schedule: Schedule, overrides: Sequence[ScheduleOverride]) -> ScheduleSpec:
    """``overrides`` in creation order: where two overlap, the one created later wins."""
    ordered = sorted(overrides, key=lambda o: (o.created_at, o.id))
    return ScheduleSpec(
        time_zone=schedule.time_zone,
        layers=tuple(layer_spec(layer) for layer in schedule.layers),
        overrides=tuple(Override(o.member_id, o.starts_at, o.ends_at) for o in ordered),
    )


def policy_spec(policy: EscalationPolicy) -> PolicySpec:
    return PolicySpec(
        levels=tuple(
            Level(
                targets=tuple(EngineTarget(TargetKind(t.kind), t.target_id) for t in level.targets),
                strategy=RingStrategy(level.strategy),
                ring_timeout_seconds=level.ring_timeout_seconds,
                delay_seconds=level.delay_seconds,
            )
            for level in policy.levels
        ),
        repeat_count=policy.repeat_count,
    )


def member_contact(member: Member) -> MemberContact:
    return MemberContact(
        member_id=member.id,
        name=member.name,
        phones=tuple(Phone(p.number, p.label, p.verified) for p in member.phones),
    )
