"""Shared driver for the call-flow tests (this module holds no tests of its own).

:class:`Call` steps one call through events with a manual clock and checks the machine's
invariants after every step, so every scenario test also checks timer fencing, the codec round
trip and that an ended call stays ended.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from callroute.engine.callflow import codec
from callroute.engine.callflow.machine import step
from callroute.engine.callflow.model import (
    Action,
    ActionKind,
    Bridge,
    CallArrived,
    CallState,
    CallStatus,
    Command,
    Digits,
    Event,
    Leg,
    LegStatus,
    Note,
    Phase,
    Prompt,
    RaiseAlert,
    RecordingReady,
    Responder,
    RingLegs,
    RingLevel,
    RingStrategy,
    Snapshot,
    TimerFired,
    TimerSpec,
    TranscriptReady,
    Transition,
)
from callroute.engine.callflow.step_context import TIMER_PHASES

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLER = "+15551230000"
ROUTER_NUMBER = "+15550000000"


def responder(member_id: str, *numbers: str) -> Responder:
    return Responder(member_id, member_id.capitalize(), numbers or (f"+1555{member_id}",))


def level(
    *responders: Responder,
    strategy: RingStrategy = RingStrategy.SEQUENTIAL,
    ring: int = 20,
    delay: int = 0,
) -> RingLevel:
    return RingLevel(strategy, ring, delay, responders)


def ring(*levels: RingLevel, repeat: int = 0, label: str = "Database team") -> Action:
    return Action(
        ActionKind.RING,
        label=label,
        target_type="escalation_policy",
        target_id="policy-1",
        levels=levels,
        repeat_count=repeat,
    )


def snapshot(**changes: Any) -> Snapshot:
    base = Snapshot(
        router_id="router-1",
        router_name="Support line",
        router_number=ROUTER_NUMBER,
        caller=CALLER,
    )
    return replace(base, **changes)


def say(text: str) -> Prompt:
    return Prompt(text)


def check_transition(before: CallState, event: Event, after: Transition) -> None:
    """What must hold after any step, whatever the scenario."""
    state = after.state
    if before.phase is Phase.ENDED:
        assert state.phase is Phase.ENDED
        if not isinstance(event, TranscriptReady | RecordingReady):
            assert after == Transition(before)
    if isinstance(event, TimerFired) and (event.kind, event.token) not in before.armed:
        assert after == Transition(before)
    if state.phase is Phase.ENDED:
        assert state.armed == ()
        assert state.ended_at is not None
        assert all(leg.status.finished for leg in state.legs)
    elif state.phase is not Phase.NEW:
        assert state.armed, f"{state.phase} with no timer armed"
    kinds = [kind for kind, _ in state.armed]
    assert len(kinds) == len(set(kinds))
    assert all(state.phase in TIMER_PHASES[kind] for kind in kinds)
    for timer in after.timers:
        assert (timer.kind, timer.token) in state.armed
    assert sum(leg.status is LegStatus.ACCEPTED for leg in state.legs) <= 1
    assert len({leg.leg_id for leg in state.legs}) == len(state.legs)
    if state.answered_leg is not None:
        assert state.answered_leg in {leg.leg_id for leg in state.legs}
    _check_codec(state, event, after)


def _check_codec(state: CallState, event: Event, after: Transition) -> None:
    def via_json(data: dict[str, Any]) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(json.dumps(data))
        return loaded

    assert codec.state_from_dict(via_json(codec.state_to_dict(state))) == state
    assert codec.event_from_dict(via_json(codec.event_to_dict(event))) == event
    for command in after.commands:
        assert codec.command_from_dict(via_json(codec.command_to_dict(command))) == command
    for timer in after.timers:
        assert codec.timer_from_dict(via_json(codec.timer_to_dict(timer))) == timer
    for note in after.notes:
        assert codec.note_from_dict(via_json(codec.note_to_dict(note))) == note


@dataclass
class Call:
    snapshot: Snapshot
    state: CallState = field(default_factory=CallState)
    now: datetime = NOW
    transitions: list[Transition] = field(default_factory=list)
    due: dict[str, TimerSpec] = field(default_factory=dict)

    def send(self, event: Event, *, after: float = 0) -> Transition:
        self.now += timedelta(seconds=after)
        before = self.state
        result = step(self.snapshot, before, event, self.now)
        check_transition(before, event, result)
        self.state = result.state
        self.transitions.append(result)
        self.due.update({timer.kind: timer for timer in result.timers})
        assert sum(isinstance(c, RaiseAlert) for c in self.commands) <= 1
        assert sum(isinstance(c, Bridge) for c in self.commands) <= 1
        return result

    def arrive(self) -> Transition:
        return self.send(CallArrived())

    def press(self, digits: str, leg_id: str | None = None) -> Transition:
        return self.send(Digits(digits, leg_id))

    def fire(self, kind: str) -> Transition:
        """Fire the armed timer of ``kind`` at its due time."""
        timer = self.due[kind]
        assert (kind, timer.token) in self.state.armed, f"{kind} is not armed"
        self.now = max(self.now, timer.due_at)
        return self.send(TimerFired(kind, timer.token))

    def leg(self, member_id: str, number: str | None = None) -> Leg:
        """The latest leg to ``member_id`` (at ``number`` when given)."""
        legs = [
            leg
            for leg in self.state.legs
            if leg.member_id == member_id and number in (None, leg.number)
        ]
        assert legs, f"no leg to {member_id}"
        return legs[-1]

    @property
    def commands(self) -> list[Command]:
        return [c for t in self.transitions for c in t.commands]

    @property
    def notes(self) -> list[Note]:
        return [n for t in self.transitions for n in t.notes]

    def note_kinds(self) -> list[str]:
        return [n.kind for n in self.notes]

    def dialled(self) -> list[str]:
        """Numbers rung, in order."""
        return [leg.number for c in self.commands if isinstance(c, RingLegs) for leg in c.legs]

    @property
    def ended(self) -> bool:
        return self.state.phase is Phase.ENDED

    def outcome(self) -> tuple[CallStatus, str | None]:
        return self.state.status, self.state.reason
