"""What the live-calls page says is happening to a caller, read from the engine's state."""

from __future__ import annotations

import pytest

from callroute.console.live import phase_of
from callroute.engine.callflow import model as m


def leg(name: str, level: int, status: m.LegStatus, leg_id: str | None = None) -> m.Leg:
    return m.Leg(
        leg_id=leg_id or f"l-{name}",
        member_id=name.lower(),
        member_name=name,
        number="+14155550101",
        level=level,
        round=0,
        status=status,
    )


RING = m.LegStatus.RINGING
ANN_RAN_OUT = leg("Ann", 0, m.LegStatus.NO_ANSWER)
CASES = [
    (m.CallState(), False, "greeting"),
    (m.CallState(phase=m.Phase.PIN), False, "asked for the PIN"),
    (m.CallState(phase=m.Phase.MENU), False, "in the menu"),
    (
        m.CallState(
            phase=m.Phase.RINGING,
            level=1,
            legs=(ANN_RAN_OUT, leg("Ann", 1, RING, "a2"), leg("Bob", 1, m.LegStatus.DIALING)),
        ),
        False,
        "ringing level 2: Ann and Bob",  # counted from 1; who is ringing at this level only
    ),
    (
        m.CallState(
            phase=m.Phase.RINGING,
            legs=(leg("Ann", 0, RING), leg("Bob", 0, RING), leg("Chris", 0, RING)),
        ),
        True,
        "on hold · ringing level 1: Ann, Bob and Chris",
    ),
    (m.CallState(phase=m.Phase.RINGING, round=1, legs=()), False, "ringing level 1 (round 2)"),
    (m.CallState(phase=m.Phase.LEVEL_PAUSE, level=0), True, "waiting before level 2 · on hold"),
    (
        m.CallState(
            phase=m.Phase.BRIDGED,
            answered_leg="l-Bob",
            legs=(ANN_RAN_OUT, leg("Bob", 0, m.LegStatus.ACCEPTED)),
        ),
        False,
        "bridged to Bob",
    ),
    (
        m.CallState(
            phase=m.Phase.BRIDGED,
            action=m.Action(kind=m.ActionKind.FORWARD, number="+14155550999"),
        ),
        False,
        "forwarded to +14155550999",
    ),
    (m.CallState(phase=m.Phase.VOICEMAIL), False, "recording voicemail"),
    (m.CallState(phase=m.Phase.ENDING), False, "playing a last message"),
]


@pytest.mark.parametrize(("state", "hold", "said"), CASES, ids=[c[2] for c in CASES])
def test_a_calls_phase_in_words(state: m.CallState, hold: bool, said: str) -> None:
    assert phase_of(state, hold) == said
