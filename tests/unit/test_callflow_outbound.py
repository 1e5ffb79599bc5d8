"""Calls we place: dialling, the three outbound modes once the other party answers, and every
way such a call ends. Each scenario is a row: the router's outbound plan, the events, and the
commands, status and reason expected. ``Call`` checks the machine's invariants at every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callroute.engine.callflow.model import (
    Action,
    ActionKind,
    BridgeEnded,
    CallArrived,
    CalleeAnswered,
    CalleeUnreached,
    CallerHungUp,
    CallPlaced,
    CallStatus,
    Command,
    ConnectionAnswered,
    ConnectStream,
    DialSip,
    Digits,
    Event,
    Hangup,
    LegStatus,
    Outbound,
    OutboundMode,
    Phase,
    PlaceCall,
    ProviderError,
    RaiseAlert,
    Record,
    RingLegs,
    TimerFired,
)
from tests.unit.test_callflow_support import CALLER, NOW, ROUTER_NUMBER, Call, snapshot

TRUNK = Action(ActionKind.SIP, label="PBX", sip_uri="sip:desk@pbx.example.com")
BOT = Action(
    ActionKind.BOT,
    label="Agent",
    stream_url="wss://bots.example.com/agent",
    stream_parameters=(("lang", "en"),),
)
SIP_PLAN = Outbound(OutboundMode.SIP, TRUNK, dial_timeout_seconds=25)
BOT_PLAN = Outbound(OutboundMode.BOT, BOT)
ANSWER_ONLY = Outbound(OutboundMode.ANSWER_ONLY)
DIAL_SIP = DialSip("sip:desk@pbx.example.com", CALLER, 30)
STREAM = ConnectStream("wss://bots.example.com/agent", (("lang", "en"),))
MAX = "max_duration"
DIAL = "dial_timeout"


@dataclass(frozen=True)
class Row:
    plan: Outbound
    events: tuple[Event | str, ...]  # a string fires that timer
    commands: tuple[Command, ...]  # every command of the call, in order
    status: CallStatus
    reason: str | None
    answered: bool = False
    ignored: tuple[str, ...] = field(default=())  # events noted as ignored


ROWS = {
    "sip: answered, connected, the callee hangs up": Row(
        SIP_PLAN,
        (CalleeAnswered(), ConnectionAnswered(), CallerHungUp()),
        (PlaceCall(CALLER, ROUTER_NUMBER, 25), DIAL_SIP),
        CallStatus.COMPLETED,
        "the called party hung up",
        answered=True,
    ),
    "sip: the trunk side ends the call": Row(
        SIP_PLAN,
        (CalleeAnswered(), ConnectionAnswered(), BridgeEnded(LegStatus.COMPLETED)),
        (PlaceCall(CALLER, ROUTER_NUMBER, 25), DIAL_SIP, Hangup()),
        CallStatus.COMPLETED,
        "connection ended",
        answered=True,
    ),
    "sip: the trunk is busy": Row(
        SIP_PLAN,
        (CalleeAnswered(), BridgeEnded(LegStatus.BUSY)),
        (PlaceCall(CALLER, ROUTER_NUMBER, 25), DIAL_SIP, Hangup()),
        CallStatus.FAILED,
        "the sip connection did not answer (busy)",
        answered=True,
    ),
    "bot: streamed, the bot ends the call": Row(
        BOT_PLAN,
        (CalleeAnswered(), ConnectionAnswered(), BridgeEnded(LegStatus.COMPLETED)),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30), STREAM, Hangup()),
        CallStatus.COMPLETED,
        "the bot ended the call",
        answered=True,
    ),
    "bot: the stream fails": Row(
        BOT_PLAN,
        (CalleeAnswered(), BridgeEnded(LegStatus.FAILED)),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30), STREAM, Hangup()),
        CallStatus.FAILED,
        "the bot connection did not answer (failed)",
        answered=True,
    ),
    "answer only: nothing is connected, the callee hangs up": Row(
        ANSWER_ONLY,
        (CalleeAnswered(), CallerHungUp()),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30),),
        CallStatus.COMPLETED,
        "the called party hung up",
        answered=True,
    ),
    "answer only: stray connection events are ignored": Row(
        ANSWER_ONLY,
        (CalleeAnswered(), ConnectionAnswered(), BridgeEnded(LegStatus.COMPLETED), MAX),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30), Hangup()),
        CallStatus.COMPLETED,
        "maximum call length reached",
        answered=True,
        ignored=("ConnectionAnswered", "BridgeEnded"),
    ),
    "no answer": Row(
        SIP_PLAN,
        (CalleeUnreached(LegStatus.NO_ANSWER),),
        (PlaceCall(CALLER, ROUTER_NUMBER, 25),),
        CallStatus.MISSED,
        "the called party did not answer",
    ),
    "busy": Row(
        BOT_PLAN,
        (CalleeUnreached(LegStatus.BUSY),),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30),),
        CallStatus.MISSED,
        "the called party was busy",
    ),
    "unreachable": Row(
        ANSWER_ONLY,
        (CalleeUnreached(LegStatus.FAILED),),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30),),
        CallStatus.FAILED,
        "the call could not be connected",
    ),
    "hung up while ringing": Row(
        ANSWER_ONLY,
        (CallerHungUp(),),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30),),
        CallStatus.MISSED,
        "the called party did not answer",
    ),
    "the provider never reports: the dial times out": Row(
        SIP_PLAN,
        (DIAL,),
        (PlaceCall(CALLER, ROUTER_NUMBER, 25), Hangup()),
        CallStatus.MISSED,
        "the called party did not answer",
    ),
    "provider error while dialling": Row(
        SIP_PLAN,
        (ProviderError("carrier rejected the number"),),
        (PlaceCall(CALLER, ROUTER_NUMBER, 25),),
        CallStatus.FAILED,
        "carrier rejected the number",
    ),
    "inbound-only events are ignored; keys too": Row(
        BOT_PLAN,
        (CallArrived(), Digits("1"), CalleeAnswered(), CalleeAnswered(), CallerHungUp()),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30), STREAM),
        CallStatus.COMPLETED,
        "the called party hung up",
        answered=True,
        ignored=("CallArrived", "Digits", "CalleeAnswered"),
    ),
    "a bridged call is ended at the maximum length": Row(
        BOT_PLAN,
        (CalleeAnswered(), ConnectionAnswered(), MAX),
        (PlaceCall(CALLER, ROUTER_NUMBER, 30), STREAM, Hangup()),
        CallStatus.COMPLETED,
        "maximum call length reached",
        answered=True,
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_outbound_call(row: Row) -> None:
    call = Call(snapshot(outbound=row.plan))
    first = call.send(CallPlaced())
    assert call.state.phase is Phase.DIALING
    assert call.state.status is CallStatus.RINGING
    assert [(t.kind, t.due_at) for t in first.timers] == [
        (DIAL, NOW + timedelta(seconds=row.plan.dial_timeout_seconds + 15))
    ]
    for event in row.events:
        if isinstance(event, str):
            call.fire(event)
        else:
            call.send(event, after=1)
    assert tuple(call.commands) == row.commands
    assert call.outcome() == (row.status, row.reason)
    assert call.ended
    assert (call.state.answered_at is not None) == row.answered
    ignored = tuple(n.detail["event"] for n in call.notes if n.kind == "ignored_event")
    assert ignored == row.ignored
    # An outbound call never rings anyone, records voicemail or raises an alert.
    assert not [c for c in call.commands if isinstance(c, RingLegs | Record | RaiseAlert)]


def test_answering_arms_the_maximum_length_and_records_the_answer() -> None:
    call = Call(snapshot(outbound=SIP_PLAN))
    call.send(CallPlaced())
    answered = call.send(CalleeAnswered(), after=4)
    assert call.state.phase is Phase.BRIDGED
    assert call.state.status is CallStatus.ANSWERED
    assert call.state.answered_at == NOW + timedelta(seconds=4)
    assert [kind for kind, _ in call.state.armed] == [MAX]
    assert [n.kind for n in answered.notes] == ["callee_answered", "connecting"]
    assert answered.notes[-1].detail == {"kind": "sip", "target": "sip:desk@pbx.example.com"}


@pytest.mark.parametrize(
    "plan",
    [
        Outbound(OutboundMode.SIP, None),
        Outbound(OutboundMode.SIP, Action(ActionKind.SIP, sip_uri="")),
        Outbound(OutboundMode.BOT, Action(ActionKind.BOT, stream_url="")),
    ],
)
def test_a_mode_without_a_target_fails_before_dialling(plan: Outbound) -> None:
    call = Call(snapshot(outbound=plan))
    transition = call.send(CallPlaced())
    assert transition.commands == ()
    assert call.outcome() == (
        CallStatus.FAILED,
        f"the {plan.mode.value} outbound mode has no target",
    )


def test_a_placed_call_is_placed_once() -> None:
    call = Call(snapshot(outbound=ANSWER_ONLY))
    call.send(CallPlaced())
    again = call.send(CallPlaced())
    assert again.commands == ()
    assert [n.kind for n in again.notes] == ["ignored_event"]


@pytest.mark.parametrize("event", [CallPlaced(), CalleeAnswered(), CalleeUnreached(LegStatus.BUSY)])
def test_inbound_calls_ignore_outbound_events(event: Event) -> None:
    call = Call(snapshot(action=TRUNK))
    call.arrive()
    before = call.state
    transition = call.send(event)
    assert transition.commands == ()
    assert [n.kind for n in transition.notes] == ["ignored_event"]
    assert call.state == before


# --- random sequences: an outbound call always ends, by timers alone if need be ------------

EVENTS = st.sampled_from(
    [
        CalleeAnswered(),
        CalleeUnreached(LegStatus.NO_ANSWER),
        CalleeUnreached(LegStatus.BUSY),
        CallerHungUp(),
        ConnectionAnswered(),
        BridgeEnded(LegStatus.COMPLETED),
        BridgeEnded(LegStatus.NO_ANSWER),
        Digits("5"),
        CallArrived(),
        ProviderError("boom"),
    ]
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=st.sampled_from([SIP_PLAN, BOT_PLAN, ANSWER_ONLY]),
    events=st.lists(EVENTS, max_size=8),
)
def test_random_events_never_leave_an_outbound_call_stuck(
    plan: Outbound, events: list[Event]
) -> None:
    call = Call(snapshot(outbound=plan))
    call.send(CallPlaced())
    for event in events:
        call.send(event, after=1)
    for _ in range(5):
        if call.ended:
            break
        kind, token = call.state.armed[0]
        call.now = max(call.now, call.due[kind].due_at)
        call.send(TimerFired(kind, token))
    assert call.ended
