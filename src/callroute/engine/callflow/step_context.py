"""The working area of one ``step``: the state so far and what the step has decided to do.

The handlers (``machine.py``, ``actions.py``, ``ringing.py``, ``fallback.py``) read better as
small procedures updating one accumulator than as functions threading (state, commands, timers,
notes) tuples through every call. The accumulator lives for a single step only, so ``step``
stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from callroute.engine.callflow.model import (
    AcknowledgeAlert,
    Action,
    ActionKind,
    AttachToAlert,
    CallState,
    CallStatus,
    CancelLegs,
    Command,
    Hangup,
    Leg,
    LegStatus,
    Note,
    Phase,
    RaiseAlert,
    ResolveAlert,
    Snapshot,
    TimerSpec,
    Transition,
)

PIN_TIMEOUT = "pin_timeout"
MENU_TIMEOUT = "menu_timeout"
RING_TIMEOUT = "ring_timeout"
ACCEPT_TIMEOUT = "accept_timeout"
LEVEL_DELAY = "level_delay"
DEADLINE = "deadline"
MAX_DURATION = "max_duration"
RECORDING_TIMEOUT = "recording_timeout"
DIAL_TIMEOUT = "dial_timeout"

# A timer only means something in the phases that armed it; pruning the rest when a step ends
# means no handler has to remember every timer the previous phase may have left behind.
TIMER_PHASES: dict[str, frozenset[Phase]] = {
    PIN_TIMEOUT: frozenset({Phase.PIN}),
    MENU_TIMEOUT: frozenset({Phase.MENU}),
    RING_TIMEOUT: frozenset({Phase.RINGING}),
    ACCEPT_TIMEOUT: frozenset({Phase.RINGING}),
    LEVEL_DELAY: frozenset({Phase.LEVEL_PAUSE}),
    DEADLINE: frozenset({Phase.RINGING, Phase.LEVEL_PAUSE}),
    MAX_DURATION: frozenset({Phase.BRIDGED}),
    RECORDING_TIMEOUT: frozenset({Phase.VOICEMAIL}),
    DIAL_TIMEOUT: frozenset({Phase.DIALING}),
}

# Legs still trying to reach a responder; an accepted leg is live but no longer ringing.
RINGING_STATUSES = frozenset({LegStatus.DIALING, LegStatus.RINGING, LegStatus.ANSWERED})

Detail = str | int | bool | None


@dataclass
class Ctx:
    snapshot: Snapshot
    now: datetime
    state: CallState
    commands: list[Command] = field(default_factory=list)
    timers: list[TimerSpec] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    def emit(self, *commands: Command) -> None:
        self.commands.extend(commands)

    def note(self, kind: str, /, **detail: Detail) -> None:
        self.notes.append(Note(kind, dict(detail)))

    def arm(self, kind: str, seconds: int) -> None:
        token = f"{kind}-{self.state.seq}"
        armed = tuple(pair for pair in self.state.armed if pair[0] != kind)
        self.update(armed=(*armed, (kind, token)), seq=self.state.seq + 1)
        self.timers.append(TimerSpec(kind, token, self.now + timedelta(seconds=seconds)))

    def disarm(self, *kinds: str) -> None:
        self.update(armed=tuple(pair for pair in self.state.armed if pair[0] not in kinds))

    # --- legs -----------------------------------------------------------------------------

    def leg(self, leg_id: str) -> Leg | None:
        return next((leg for leg in self.state.legs if leg.leg_id == leg_id), None)

    def ringing_legs(self) -> tuple[Leg, ...]:
        return tuple(leg for leg in self.state.legs if leg.status in RINGING_STATUSES)

    def set_leg(self, leg_id: str, status: LegStatus) -> None:
        self.update(
            legs=tuple(
                replace(leg, status=status) if leg.leg_id == leg_id else leg
                for leg in self.state.legs
            )
        )

    def cancel(self, legs: tuple[Leg, ...], status: LegStatus) -> None:
        """Tell the provider to drop ``legs`` and record why they ended."""
        if not legs:
            return
        self.emit(CancelLegs(tuple(leg.leg_id for leg in legs)))
        for leg in legs:
            self.set_leg(leg.leg_id, status)

    def release_legs(self) -> None:
        """Drop every live leg: ringing ones end as cancelled, an accepted one as completed."""
        live = tuple(leg for leg in self.state.legs if not leg.status.finished)
        if not live:
            return
        self.emit(CancelLegs(tuple(leg.leg_id for leg in live)))
        for leg in live:
            done = LegStatus.COMPLETED if leg.status is LegStatus.ACCEPTED else LegStatus.CANCELED
            self.set_leg(leg.leg_id, done)

    # --- the alert ------------------------------------------------------------------------

    def raise_alert(self) -> None:
        settings = self.snapshot.alert
        if not settings.enabled or self.state.alert_raised:
            return
        action = self.state.action or Action(ActionKind.VOICEMAIL)
        caller = self.snapshot.caller_name or self.snapshot.caller
        target = action.label or self.snapshot.router_name
        self.emit(
            RaiseAlert(
                summary=f"Call from {caller} to {target}",
                urgency=action.urgency or settings.urgency,
                target_type=action.target_type,
                target_id=action.target_id,
            )
        )
        self.update(alert_raised=True)

    def acknowledge(self, member_id: str) -> None:
        if self.state.alert_raised:
            self.emit(AcknowledgeAlert(member_id))

    def attach(self, *, recording_url: str | None = None, transcript: str | None = None) -> None:
        # Without an alert there is nothing to attach to; the timeline note keeps the content.
        if self.state.alert_raised:
            self.emit(AttachToAlert(recording_url=recording_url, transcript=transcript))

    # --- ending ---------------------------------------------------------------------------

    def end(self, status: CallStatus, reason: str, *, hangup: bool) -> None:
        self.release_legs()
        if hangup:
            self.emit(Hangup())
        self.update(phase=Phase.ENDED, status=status, reason=reason, armed=(), ended_at=self.now)
        self.note("call_ended", status=status.value, reason=reason)
        if self.state.alert_raised and self.snapshot.alert.auto_resolve_on_call_end:
            self.emit(ResolveAlert(reason))

    def ignore(self, event: object) -> None:
        self.note("ignored_event", event=type(event).__name__, phase=self.state.phase.value)

    def finish(self) -> Transition:
        phase = self.state.phase
        armed = tuple(pair for pair in self.state.armed if phase in TIMER_PHASES.get(pair[0], ()))
        self.update(armed=armed)
        timers = tuple(t for t in self.timers if (t.kind, t.token) in armed)
        return Transition(self.state, tuple(self.commands), timers, tuple(self.notes))
