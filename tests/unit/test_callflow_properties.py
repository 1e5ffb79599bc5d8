"""Random sequences of plausible events against a few routers.

Every step goes through :class:`Call`, which checks the invariants (timers fenced and armed in
every live phase, none once ended, an ended call absorbs events, at most one accepted leg, one
alert, one bridge, the codec round trip). On top of that, every call must end by timers alone:
a call nobody reports on is never stuck.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callroute.engine.callflow.model import (
    Action,
    ActionKind,
    AlertSettings,
    BridgeEnded,
    CallArrived,
    CallerHungUp,
    CancelLegs,
    ConnectionAnswered,
    Digits,
    Event,
    Fallback,
    LegAnswered,
    LegEnded,
    LegRinging,
    LegStatus,
    Menu,
    MenuOption,
    Phase,
    ProviderError,
    RecordingReady,
    ResolveAlert,
    Ringing,
    RingLevel,
    RingMode,
    RingStrategy,
    Screening,
    Snapshot,
    TimerFired,
    TranscriptReady,
)
from tests.unit.test_callflow_support import Call, level, responder, ring, say, snapshot

ALICE = responder("alice", "+15550000001", "+15550000002")
BOB = responder("bob")
CAROL = responder("carol")
DAVE = responder("dave")
EMPTY = RingLevel(RingStrategy.SEQUENTIAL, 20, 0, ())

ROUTERS: dict[str, Snapshot] = {
    "hold, levels, rounds, deadline": snapshot(
        action=ring(
            level(ALICE, BOB),
            EMPTY,
            level(CAROL, DAVE, strategy=RingStrategy.SIMULTANEOUS, delay=10),
            repeat=1,
        ),
        ringing=Ringing(
            mode=RingMode.HOLD,
            hold_music_url="https://music",
            between_attempts=say("Still trying."),
            deadline_seconds=200,
        ),
        alert=AlertSettings(auto_resolve_on_call_end=True),
    ),
    "random, no accept key, message fallback": snapshot(
        action=ring(
            level(ALICE, BOB, CAROL, strategy=RingStrategy.RANDOM),
            level(DAVE),
            repeat=2,
        ),
        ringing=Ringing(require_accept=False, level_delay_seconds=5),
        fallback=Fallback.MESSAGE,
    ),
    "menu of every action": snapshot(
        greeting=say("Hello."),
        menu=Menu(
            prompt=say("Choose."),
            options=(
                MenuOption("1", Action(ActionKind.FORWARD, number="+15557770000")),
                MenuOption("2", ring(level(BOB, CAROL, strategy=RingStrategy.SIMULTANEOUS))),
                MenuOption("3", Action(ActionKind.VOICEMAIL)),
                MenuOption("4", Action(ActionKind.BOT, stream_url="wss://bot")),
                MenuOption("5", Action(ActionKind.MESSAGE, message=say("Bye."))),
            ),
            max_attempts=2,
            default_digit="2",
        ),
        alert=AlertSettings(auto_resolve_on_call_end=True),
    ),
    "pin, then ring": snapshot(
        screening=Screening(pin="1", pin_attempts=3),
        action=ring(level(ALICE, BOB)),
    ),
    "nobody on call": snapshot(action=ring(EMPTY, EMPTY)),
}

OUTCOMES = list(LegStatus)
CALLER_KEYS = ["", "1", "2", "3", "4", "5", "9", "*"]
LEG_KEYS = ["1", "1", "2", ""]
CALL_EVENTS: list[Event] = [
    CallerHungUp(),
    ConnectionAnswered(),
    BridgeEnded(LegStatus.COMPLETED),
    BridgeEnded(LegStatus.NO_ANSWER),
    CallArrived(),
    ProviderError("call failed"),
    TranscriptReady("transcript"),
    RecordingReady("https://rec", 0),
    RecordingReady("https://rec", 9),
]
# Events are built from plain integers: one cheap, fixed strategy instead of a new strategy per
# step keeps the test fast, and the integers shrink well.
SEEDS = st.tuples(st.integers(0, 9), st.integers(0, 20), st.integers(0, 20))


def plausible_event(call: Call, seed: tuple[int, int, int]) -> Event:
    kind, pick, extra = seed
    leg_ids = [leg.leg_id for leg in call.state.legs]
    # Mostly the newest legs, which are the ones still ringing; sometimes an unknown one.
    leg = leg_ids[-1 - pick % len(leg_ids)] if leg_ids and pick < 18 else "r9-l9-a9-n9"
    timers = [TimerFired(k, token) for k, token in call.state.armed]
    builders: list[Callable[[], Event]] = [
        lambda: timers[pick % len(timers)] if timers and pick < 19 else TimerFired("x", "x-1"),
        lambda: LegAnswered(leg, machine=extra % 4 == 0),
        lambda: Digits(LEG_KEYS[extra % len(LEG_KEYS)], leg),
        lambda: LegEnded(leg, OUTCOMES[extra % len(OUTCOMES)]),
        lambda: LegRinging(leg),
        lambda: ProviderError("leg failed", leg),
        lambda: Digits(CALLER_KEYS[extra % len(CALLER_KEYS)]),
        lambda: CALL_EVENTS[extra % len(CALL_EVENTS)],
        lambda: Digits(CALLER_KEYS[pick % len(CALLER_KEYS)]),
        lambda: Digits("1", leg),
    ]
    return builders[kind]()


def run_out_the_clock(call: Call) -> None:
    """Fire the earliest armed timer until the call ends; it must end."""
    for _ in range(100):
        if call.state.phase is Phase.ENDED:
            return
        kind = min((call.due[kind].due_at, kind) for kind, _ in call.state.armed)[1]
        call.fire(kind)
    raise AssertionError(f"call still {call.state.phase} after 100 timers")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(ROUTERS)), st.data())
def test_random_event_sequences_keep_the_invariants(router: str, data: st.DataObject) -> None:
    call = Call(ROUTERS[router])
    call.arrive()
    for _ in range(data.draw(st.integers(0, 30), label="length")):
        seed = data.draw(SEEDS, label="event")
        call.send(plausible_event(call, seed), after=seed[2] * 2)
    run_out_the_clock(call)
    known = {leg.leg_id for leg in call.state.legs}
    for command in call.commands:
        if isinstance(command, CancelLegs):
            assert set(command.leg_ids) <= known
    assert sum(isinstance(c, ResolveAlert) for c in call.commands) <= 1
    assert call.state.ended_at is not None
    assert call.state.started_at is not None
    assert call.state.started_at <= call.state.ended_at
