"""Resolving escalation policies into responders: expansion, dedupe, and why a target is empty."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

import pytest

from callroute.engine.escalation import (
    EMPTY_TEAM,
    NO_PHONE,
    NO_VERIFIED_PHONE,
    NOBODY_ON_CALL,
    NUMBERS_ALREADY_USED,
    UNKNOWN_MEMBER,
    UNKNOWN_SCHEDULE,
    UNKNOWN_TEAM,
    Directory,
    Level,
    MemberContact,
    Phone,
    PolicySpec,
    Responder,
    RingStrategy,
    Target,
    TargetKind,
    Unresolved,
    resolve_policy,
)
from callroute.engine.schedule import (
    Layer,
    Override,
    Restriction,
    RestrictionKind,
    RotationUnit,
    ScheduleSpec,
    compile_schedule,
)

AT = datetime(2026, 3, 4, 12, tzinfo=UTC)  # a Wednesday, 07:00 in New York
NOC = "+12125550100"  # a shared phone several members list
N1, N2, N3, N5 = "+12125550001", "+12125550002", "+12125550003", "+12125550005"
N7, N8 = "+12125550007", "+12125550008"


def uid(n: int) -> UUID:
    return UUID(int=n)


ALICE, BOB, CAROL, DAVE, ERIN, FRANK, GRACE = (uid(n) for n in range(1, 8))
GHOST = uid(99)  # in no directory
TEAM, EMPTY, MISSING_TEAM = uid(100), uid(101), uid(102)
ROTA, NIGHTS_ONLY, MISSING_SCHEDULE = uid(200), uid(201), uid(202)


def phone(number: str, verified: bool = True, label: str = "mobile") -> Phone:
    return Phone(number, label, verified)


CONTACTS = {
    ALICE: MemberContact(ALICE, "Alice", (phone(N1), phone(NOC, label="noc"))),
    BOB: MemberContact(BOB, "Bob", (phone(NOC, label="noc"), phone(N2))),
    CAROL: MemberContact(CAROL, "Carol", (phone(N3),)),
    DAVE: MemberContact(DAVE, "Dave", (phone(NOC, label="noc"),)),
    ERIN: MemberContact(ERIN, "Erin", (phone(N5, verified=False),)),
    FRANK: MemberContact(FRANK, "Frank", ()),
    GRACE: MemberContact(GRACE, "Grace", (phone(N7, verified=False), phone(N8))),
}

ROTA_SPEC = ScheduleSpec(
    "America/New_York",
    (Layer(datetime(2026, 3, 2, 9, tzinfo=UTC), 1, RotationUnit.WEEKS, (CAROL, BOB), time(9)),),
    (Override(ALICE, AT + timedelta(days=1), AT + timedelta(days=2)),),
)
NIGHTS_SPEC = ScheduleSpec(
    "America/New_York",
    (
        Layer(
            datetime(2026, 1, 1, tzinfo=UTC),
            12,
            RotationUnit.HOURS,
            (DAVE,),
            restrictions=(Restriction(RestrictionKind.DAILY, time(22), timedelta(hours=8)),),
        ),
    ),
)


def directory(require_verified: bool = False) -> Directory:
    return Directory(
        members=CONTACTS,
        teams={TEAM: (BOB, CAROL, ALICE), EMPTY: ()},
        schedules={ROTA: compile_schedule(ROTA_SPEC), NIGHTS_ONLY: compile_schedule(NIGHTS_SPEC)},
        require_verified=require_verified,
    )


def member(m: UUID) -> Target:
    return Target(TargetKind.MEMBER, m)


def team(t: UUID) -> Target:
    return Target(TargetKind.TEAM, t)


def schedule(s: UUID) -> Target:
    return Target(TargetKind.SCHEDULE, s)


@dataclass(frozen=True)
class Case:
    targets: tuple[Target, ...]
    responders: list[tuple[str, tuple[str, ...]]]  # (name, numbers)
    unresolved: list[tuple[Target, str, UUID | None]] = field(default_factory=list)
    require_verified: bool = False
    at: datetime = AT


CASES = {
    "member": Case((member(CAROL),), [("Carol", (N3,))]),
    "member keeps its phone order": Case((member(BOB),), [("Bob", (NOC, N2))]),
    "team expands in order": Case(
        (team(TEAM),),
        [
            ("Bob", (NOC, N2)),
            ("Carol", (N3,)),
            ("Alice", (N1,)),
        ],
    ),
    "schedule gives whoever is on call": Case((schedule(ROTA),), [("Carol", (N3,))]),
    "schedule honours overrides at the instant": Case(
        (schedule(ROTA),), [("Alice", (N1, NOC))], at=AT + timedelta(days=1, hours=1)
    ),
    "targets keep their configured order": Case(
        (member(CAROL), member(ALICE), member(BOB)),
        [
            ("Carol", (N3,)),
            ("Alice", (N1, NOC)),
            ("Bob", (N2,)),
        ],
    ),
    "a member appears once, first occurrence wins": Case(
        (schedule(ROTA), team(TEAM), member(CAROL)),
        [
            ("Carol", (N3,)),
            ("Bob", (NOC, N2)),
            ("Alice", (N1,)),
        ],
    ),
    "a shared number is rung once, for the first responder with it": Case(
        (member(ALICE), member(BOB)),
        [("Alice", (N1, NOC)), ("Bob", (N2,))],
    ),
    "a responder left without numbers is unresolved": Case(
        (member(BOB), member(DAVE)),
        [("Bob", (NOC, N2))],
        [(member(DAVE), NUMBERS_ALREADY_USED, DAVE)],
    ),
    "nobody on call": Case(
        (schedule(NIGHTS_ONLY),), [], [(schedule(NIGHTS_ONLY), NOBODY_ON_CALL, None)]
    ),
    "on call at night": Case(
        (schedule(NIGHTS_ONLY),), [("Dave", (NOC,))], at=AT - timedelta(hours=5)
    ),
    "member without any phone": Case((member(FRANK),), [], [(member(FRANK), NO_PHONE, FRANK)]),
    "unverified numbers are used unless verification is required": Case(
        (member(ERIN),), [("Erin", (N5,))]
    ),
    "require_verified skips unverified numbers": Case(
        (member(ERIN), member(CAROL)),
        [("Carol", (N3,))],
        [(member(ERIN), NO_VERIFIED_PHONE, ERIN)],
        require_verified=True,
    ),
    "require_verified keeps a member's verified numbers": Case(
        (member(GRACE),), [("Grace", (N8,))], require_verified=True
    ),
    "without require_verified every number is tried in order": Case(
        (member(GRACE),), [("Grace", (N7, N8))]
    ),
    "unknown member": Case(
        (member(GHOST), member(CAROL)),
        [("Carol", (N3,))],
        [(member(GHOST), UNKNOWN_MEMBER, GHOST)],
    ),
    "unknown team": Case((team(MISSING_TEAM),), [], [(team(MISSING_TEAM), UNKNOWN_TEAM, None)]),
    "empty team": Case((team(EMPTY),), [], [(team(EMPTY), EMPTY_TEAM, None)]),
    "unknown schedule": Case(
        (schedule(MISSING_SCHEDULE),), [], [(schedule(MISSING_SCHEDULE), UNKNOWN_SCHEDULE, None)]
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_single_level(case: Case) -> None:
    level = Level(case.targets, RingStrategy.SIMULTANEOUS, ring_timeout_seconds=20, delay_seconds=5)
    resolved = resolve_policy(
        PolicySpec((level,), repeat_count=1), directory(case.require_verified), case.at
    )
    assert resolved.repeat_count == 1
    (only,) = resolved.levels
    assert (only.index, only.strategy, only.ring_timeout_seconds, only.delay_seconds) == (
        0,
        RingStrategy.SIMULTANEOUS,
        20,
        5,
    )
    assert [(r.name, r.numbers) for r in only.responders] == case.responders
    assert [(u.target, u.reason, u.member_id) for u in only.unresolved] == case.unresolved
    assert resolved.nobody_available == (not case.responders)


def test_team_with_an_unusable_member_reports_that_member() -> None:
    d = directory()
    d = Directory(d.members, {TEAM: (FRANK, CAROL, GHOST)}, d.schedules)
    (level,) = resolve_policy(PolicySpec((Level((team(TEAM),)),)), d, AT).levels
    assert level.responders == (Responder(CAROL, "Carol", (N3,)),)
    assert level.unresolved == (
        Unresolved(team(TEAM), NO_PHONE, FRANK),
        Unresolved(team(TEAM), UNKNOWN_MEMBER, GHOST),
    )


def test_dedupe_is_per_level_not_across_levels() -> None:
    policy = PolicySpec(
        (
            Level((member(ALICE), member(BOB))),
            Level((member(BOB), member(ALICE)), RingStrategy.RANDOM),
            Level((member(DAVE),)),
        ),
        repeat_count=2,
    )
    resolved = resolve_policy(policy, directory(), AT)
    assert [[(r.name, r.numbers) for r in level.responders] for level in resolved.levels] == [
        [("Alice", (N1, NOC)), ("Bob", (N2,))],
        [("Bob", (NOC, N2)), ("Alice", (N1,))],
        [("Dave", (NOC,))],
    ]
    assert [level.index for level in resolved.levels] == [0, 1, 2]
    assert resolved.levels[1].strategy == RingStrategy.RANDOM  # shuffling is the caller's job
    assert not resolved.nobody_available


def test_nobody_available_only_when_every_level_is_empty() -> None:
    empty = Level((schedule(NIGHTS_ONLY), team(EMPTY), member(FRANK)))
    resolved = resolve_policy(PolicySpec((empty, empty)), directory(), AT)
    assert resolved.nobody_available
    assert [len(level.unresolved) for level in resolved.levels] == [3, 3]
    with_someone = PolicySpec((empty, Level((member(CAROL),))))
    assert not resolve_policy(with_someone, directory(), AT).nobody_available
    assert resolve_policy(PolicySpec(()), directory(), AT).nobody_available


def test_defaults_and_determinism() -> None:
    policy = PolicySpec((Level((team(TEAM), schedule(ROTA))),))
    first = resolve_policy(policy, directory(), AT)
    assert first == resolve_policy(policy, directory(), AT)
    (level,) = first.levels
    assert (level.strategy, level.ring_timeout_seconds, level.delay_seconds) == (
        RingStrategy.SEQUENTIAL,
        30,
        0,
    )
    assert first.repeat_count == 0


def test_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_policy(PolicySpec(()), directory(), datetime(2026, 3, 4))
