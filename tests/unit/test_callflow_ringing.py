"""Ringing responders: strategies, accepting, levels, rounds, delays, deadlines and fallbacks."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from callroute.engine.callflow.model import (
    AcknowledgeAlert,
    AlertSettings,
    Bridge,
    BridgeEnded,
    CallerHungUp,
    CallerId,
    CallState,
    CallStatus,
    CancelLegs,
    Digits,
    Event,
    Fallback,
    Hangup,
    Hold,
    LegAnswered,
    LegEnded,
    LegRinging,
    LegStatus,
    Phase,
    ProviderError,
    RaiseAlert,
    Record,
    ResolveAlert,
    Responder,
    Ringing,
    RingLegs,
    RingLevel,
    RingMode,
    RingStrategy,
    Say,
    TimerFired,
)
from tests.unit.test_callflow_support import (
    CALLER,
    NOW,
    Call,
    level,
    responder,
    ring,
    say,
    snapshot,
)

ALICE = responder("alice", "+15550000001", "+15550000002")
BOB = responder("bob", "+15550000003")
CAROL = responder("carol", "+15550000004")
DAVE = responder("dave", "+15550000005")
MUSIC = "https://music.example.com/hold.mp3"
BETWEEN = say("Still trying, please hold.")
EMPTY = RingLevel(RingStrategy.SEQUENTIAL, 20, 0, ())


def ringing_call(*levels: RingLevel, repeat: int = 0, **changes: Any) -> Call:
    action = ring(*levels, repeat=repeat)
    call = Call(snapshot(action=action, **changes))
    call.arrive()
    return call


def no_answer(call: Call, member_id: str, after: float = 20) -> None:
    call.send(LegEnded(call.leg(member_id).leg_id, LegStatus.NO_ANSWER), after=after)


def accept(call: Call, member_id: str) -> None:
    leg_id = call.leg(member_id).leg_id
    call.send(LegAnswered(leg_id), after=3)
    call.send(Digits("1", leg_id), after=4)


def armed_kinds(call: Call) -> set[str]:
    return {kind for kind, _ in call.state.armed}


# --- strategies -------------------------------------------------------------------------------


def test_sequential_rings_each_number_of_each_responder_in_order() -> None:
    call = ringing_call(level(ALICE, BOB, ring=25))
    first = call.transitions[0]
    assert first.commands[0] == RaiseAlert(
        "Call from +15551230000 to Database team", None, "escalation_policy", "policy-1"
    )
    ring_cmd = first.commands[1]
    assert isinstance(ring_cmd, RingLegs)
    assert ring_cmd.timeout_seconds == 25
    assert ring_cmd.mode is RingMode.DIAL
    assert ring_cmd.caller_id == CALLER
    assert ring_cmd.require_accept is True
    assert [leg.leg_id for leg in ring_cmd.legs] == ["r0-l0-a0-n0"]
    assert (call.state.phase, call.state.status) == (Phase.RINGING, CallStatus.RINGING_RESPONDERS)
    assert first.timers[0].due_at == NOW + timedelta(seconds=25)
    no_answer(call, "alice")
    no_answer(call, "alice")
    no_answer(call, "bob")
    assert call.dialled() == ["+15550000001", "+15550000002", "+15550000003"]
    assert [leg.leg_id for leg in call.state.legs] == ["r0-l0-a0-n0", "r0-l0-a1-n0", "r0-l0-a2-n0"]
    assert "all_levels_exhausted" in call.note_kinds()
    assert call.state.phase is Phase.VOICEMAIL


def test_simultaneous_second_leg_accepts_first_and_the_others_are_cancelled() -> None:
    call = ringing_call(level(ALICE, BOB, CAROL, strategy=RingStrategy.SIMULTANEOUS))
    ring_cmd = call.transitions[0].commands[1]
    assert isinstance(ring_cmd, RingLegs)
    assert [leg.member_id for leg in ring_cmd.legs] == ["alice", "alice", "bob", "carol"]
    bob = call.leg("bob").leg_id
    call.send(LegAnswered(bob), after=5)
    t = call.send(Digits("1", bob), after=2)
    others = tuple(leg.leg_id for leg in call.state.legs if leg.member_id != "bob")
    assert t.commands == (Bridge(bob), CancelLegs(others), AcknowledgeAlert("bob"))
    assert call.state.answered_by == "bob"
    assert call.state.answered_leg == bob
    assert call.state.answered_at == NOW + timedelta(seconds=7)
    assert (call.state.phase, call.state.status) == (Phase.BRIDGED, CallStatus.ANSWERED)
    assert armed_kinds(call) == {"max_duration"}
    assert {leg.status for leg in call.state.legs if leg.leg_id != bob} == {LegStatus.CANCELED}
    # Alice's key press was already on its way: her leg is hung up, nothing else happens.
    alice = call.leg("alice").leg_id
    before = call.state
    t = call.send(Digits("1", alice))
    assert t.commands == (CancelLegs((alice,)),)
    assert [n.kind for n in t.notes] == ["accepted_too_late"]
    assert t.state == before


def test_random_order_is_a_deterministic_permutation_for_a_given_now() -> None:
    people = tuple(responder(name) for name in ("ann", "ben", "cat", "dan", "eve", "fay"))
    lvl = level(*people, strategy=RingStrategy.RANDOM)
    orders = set()
    for offset in range(8):
        now = NOW + timedelta(seconds=offset, microseconds=offset * 7)
        call = Call(snapshot(action=ring(lvl)), now=now)
        call.arrive()
        order = call.state.order
        assert sorted(order) == list(range(len(people)))
        expected = list(range(len(people)))
        random.Random(int(now.timestamp() * 1_000_000)).shuffle(expected)
        assert list(order) == expected
        again = Call(snapshot(action=ring(lvl)), now=now)
        again.arrive()
        assert again.state == call.state
        assert call.dialled() == [people[order[0]].numbers[0]]
        orders.add(order)
    assert len(orders) > 1


def test_random_rings_in_the_stored_order() -> None:
    people = tuple(responder(name) for name in ("ann", "ben", "cat"))
    call = ringing_call(level(*people, strategy=RingStrategy.RANDOM))
    order = call.state.order
    for index in order:
        no_answer(call, people[index].member_id)
    assert call.dialled() == [people[i].numbers[0] for i in order]


# --- accepting --------------------------------------------------------------------------------


def test_require_accept_answer_then_key_one() -> None:
    call = ringing_call(level(BOB))
    bob = call.leg("bob").leg_id
    t = call.send(LegRinging(bob), after=1)
    assert call.leg("bob").status is LegStatus.RINGING
    assert t.notes[0].kind == "leg_ringing"
    t = call.send(LegAnswered(bob), after=4)
    assert t.commands == ()
    assert call.leg("bob").status is LegStatus.ANSWERED
    assert armed_kinds(call) == {"ring_timeout", "accept_timeout"}
    t = call.send(Digits("1", bob), after=3)
    assert t.commands == (Bridge(bob), AcknowledgeAlert("bob"))
    assert call.leg("bob").status is LegStatus.ACCEPTED
    # A repeated key press on the bridged leg changes nothing.
    t = call.send(Digits("1", bob))
    assert (t.commands, t.state) == ((), call.transitions[-2].state)


def test_declining_with_key_two_moves_to_the_next_responder_not_the_next_number() -> None:
    call = ringing_call(level(ALICE, BOB))
    alice = call.leg("alice").leg_id
    call.send(LegAnswered(alice), after=3)
    t = call.send(Digits("2", alice), after=2)
    assert t.commands[0] == CancelLegs((alice,))
    assert call.state.legs[0].status is LegStatus.DECLINED
    assert call.dialled() == ["+15550000001", "+15550000003"]


def test_personal_voicemail_that_never_presses_one_is_no_answer() -> None:
    call = ringing_call(level(BOB, CAROL))
    bob = call.leg("bob").leg_id
    call.send(LegAnswered(bob), after=3)
    t = call.send(Digits("", bob), after=10)
    assert t.commands[0] == CancelLegs((bob,))
    assert call.leg("bob").status is LegStatus.NO_ANSWER
    assert call.dialled() == ["+15550000003", "+15550000004"]


def test_without_require_accept_answering_accepts() -> None:
    call = ringing_call(level(BOB), ringing=Ringing(require_accept=False))
    bob = call.leg("bob").leg_id
    t = call.send(LegAnswered(bob), after=4)
    assert t.commands == (Bridge(bob), AcknowledgeAlert("bob"))
    assert call.state.status is CallStatus.ANSWERED


def test_answering_machine_is_treated_as_no_answer() -> None:
    call = ringing_call(level(BOB, CAROL), ringing=Ringing(require_accept=False))
    bob = call.leg("bob").leg_id
    t = call.send(LegAnswered(bob, machine=True), after=6)
    assert t.commands[0] == CancelLegs((bob,))
    assert call.leg("bob").status is LegStatus.NO_ANSWER
    assert "machine_answered" in call.note_kinds()
    assert call.dialled()[-1] == "+15550000004"
    assert call.state.answered_leg is None


def test_an_answered_leg_outlives_the_ring_timeout_until_the_accept_timeout() -> None:
    call = ringing_call(level(BOB, CAROL, ring=20))
    bob = call.leg("bob").leg_id
    call.send(LegAnswered(bob), after=18)
    t = call.fire("ring_timeout")
    assert t.commands == ()
    assert call.leg("bob").status is LegStatus.ANSWERED
    t = call.fire("accept_timeout")
    assert t.commands[0] == CancelLegs((bob,))
    assert call.leg("bob").status is LegStatus.NO_ANSWER
    assert call.dialled()[-1] == "+15550000004"
    assert call.now == NOW + timedelta(seconds=48)


def test_simultaneous_decline_cancels_the_responders_other_numbers() -> None:
    call = ringing_call(level(ALICE, BOB, strategy=RingStrategy.SIMULTANEOUS))
    first, second = (leg.leg_id for leg in call.state.legs if leg.member_id == "alice")
    call.send(LegAnswered(first))
    t = call.send(Digits("9", first))
    assert t.commands == (CancelLegs((first,)), CancelLegs((second,)))
    assert call.state.phase is Phase.RINGING  # bob's leg is still ringing


# --- timeouts and failures --------------------------------------------------------------------


def test_ring_timeout_cancels_the_attempt_and_rings_the_next() -> None:
    call = ringing_call(level(BOB, CAROL, ring=15))
    bob = call.leg("bob").leg_id
    call.send(LegRinging(bob), after=1)
    old_timer = call.due["ring_timeout"]
    t = call.fire("ring_timeout")
    assert t.commands[0] == CancelLegs((bob,))
    assert call.leg("bob").status is LegStatus.NO_ANSWER
    assert isinstance(t.commands[1], RingLegs)
    # The first attempt's timer is spent; its token can no longer fire.
    stale = call.send(TimerFired("ring_timeout", old_timer.token))
    assert stale.commands == ()
    assert stale.state == t.state
    # Bob's own no-answer report arrives late and changes nothing.
    late = call.send(LegEnded(bob, LegStatus.NO_ANSWER))
    assert late.commands == ()
    assert late.state == t.state


def test_provider_error_on_a_leg_moves_to_the_next_responder() -> None:
    call = ringing_call(level(BOB, CAROL))
    bob = call.leg("bob").leg_id
    t = call.send(ProviderError("21215: geo permission", leg_id=bob))
    assert t.notes[0].kind == "leg_error"
    assert t.notes[0].detail["message"] == "21215: geo permission"
    assert call.leg("bob").status is LegStatus.FAILED
    assert call.dialled()[-1] == "+15550000004"


def test_leg_ended_with_an_outcome_that_is_not_an_end_counts_as_failed() -> None:
    call = ringing_call(level(BOB, CAROL))
    call.send(LegEnded(call.leg("bob").leg_id, LegStatus.RINGING))
    assert call.leg("bob").status is LegStatus.FAILED


@pytest.mark.parametrize(
    "event",
    [
        LegRinging("nope"),
        LegAnswered("nope"),
        LegEnded("nope", LegStatus.BUSY),
        Digits("1", "nope"),
        ProviderError("x", "nope"),
    ],
)
def test_events_for_unknown_legs_are_ignored(event: Event) -> None:
    call = ringing_call(level(BOB))
    before = call.state
    t = call.send(event)
    assert (t.state, t.commands) == (before, ())
    assert [n.kind for n in t.notes] == ["ignored_event"]


def test_duplicate_leg_events_have_no_second_effect() -> None:
    call = ringing_call(level(BOB, CAROL, DAVE))
    bob = call.leg("bob").leg_id
    call.send(LegRinging(bob))
    assert call.send(LegRinging(bob)).commands == ()
    no_answer(call, "bob")
    state = call.state
    for event in (
        LegEnded(bob, LegStatus.NO_ANSWER),
        LegEnded(bob, LegStatus.BUSY),
        Digits("2", bob),
        Digits("", bob),
        LegAnswered(bob, machine=True),
        ProviderError("late", bob),
    ):
        t = call.send(event)
        assert (t.state, t.commands) == (state, ())
    assert call.dialled() == ["+15550000003", "+15550000004"]


def test_accept_on_a_leg_already_given_up_on_hangs_it_up() -> None:
    call = ringing_call(level(BOB, CAROL))
    bob = call.leg("bob").leg_id
    call.fire("ring_timeout")
    t = call.send(Digits("1", bob))
    assert t.commands == (CancelLegs((bob,)),)
    assert call.state.answered_leg is None
    assert call.leg("bob").status is LegStatus.NO_ANSWER


# --- levels, delays, rounds, deadline ---------------------------------------------------------


def test_all_levels_exhausted_falls_back_to_voicemail() -> None:
    call = ringing_call(level(BOB), level(CAROL))
    no_answer(call, "bob")
    t = call.transitions[-1]
    assert isinstance(t.commands[0], RingLegs)
    no_answer(call, "carol")
    t = call.transitions[-1]
    assert [type(c) for c in t.commands] == [Record]  # the alert was raised when ringing began
    assert call.state.phase is Phase.VOICEMAIL
    assert call.state.status is CallStatus.RINGING
    assert armed_kinds(call) == {"recording_timeout"}


def test_all_levels_exhausted_with_message_fallback() -> None:
    call = ringing_call(level(BOB), fallback=Fallback.MESSAGE)
    no_answer(call, "bob")
    t = call.transitions[-1]
    assert t.commands == (Say(call.snapshot.no_answer_message), Hangup())
    assert call.outcome() == (CallStatus.MISSED, "nobody answered")


def test_repeat_count_runs_further_rounds() -> None:
    call = ringing_call(level(BOB), level(CAROL), repeat=2, fallback=Fallback.MESSAGE)
    for _ in range(3):
        no_answer(call, "bob")
        no_answer(call, "carol")
    assert call.dialled() == ["+15550000003", "+15550000004"] * 3
    assert call.note_kinds().count("round_started") == 2
    assert [leg.leg_id for leg in call.state.legs][-2:] == ["r2-l0-a0-n0", "r2-l1-a0-n0"]
    assert call.outcome() == (CallStatus.MISSED, "nobody answered")
    assert sum(isinstance(c, RaiseAlert) for c in call.commands) == 1


@pytest.mark.parametrize(
    ("fallback", "expected_tail", "status"),
    [
        (Fallback.VOICEMAIL, (RaiseAlert, Record), None),
        (Fallback.MESSAGE, (Say, Hangup), (CallStatus.MISSED, "nobody available")),
    ],
)
def test_nobody_on_call_says_so_then_falls_back(
    fallback: Fallback, expected_tail: tuple[type, ...], status: object
) -> None:
    call = ringing_call(EMPTY, EMPTY, fallback=fallback)
    t = call.transitions[0]
    assert t.commands[0] == Say(call.snapshot.no_one_available_message)
    assert tuple(type(c) for c in t.commands[1:]) == expected_tail
    assert "nobody_available" in call.note_kinds()
    if status is not None:
        assert call.outcome() == status


def test_responders_without_numbers_count_as_nobody() -> None:
    call = ringing_call(level(Responder("ghost", "Ghost", ())), fallback=Fallback.MESSAGE)
    assert call.outcome() == (CallStatus.MISSED, "nobody available")


def test_empty_middle_level_is_skipped() -> None:
    call = ringing_call(level(BOB), EMPTY, level(CAROL))
    no_answer(call, "bob")
    skipped = [n for n in call.notes if n.kind == "level_skipped"]
    assert [n.detail for n in skipped] == [{"round": 0, "level": 1}]
    assert call.state.level == 2
    assert call.dialled() == ["+15550000003", "+15550000004"]


@pytest.mark.parametrize(
    ("override", "pause"),
    [(None, 30), (10, 10), (0, 0)],
)
def test_level_delay_holds_the_caller_between_levels(override: int | None, pause: int) -> None:
    settings = Ringing(hold_music_url=MUSIC, level_delay_seconds=override)
    call = ringing_call(level(BOB, delay=30), level(CAROL), ringing=settings)
    no_answer(call, "bob", after=20)
    t = call.transitions[-1]
    if pause == 0:
        assert isinstance(t.commands[-1], RingLegs)
        assert call.state.phase is Phase.RINGING
        return
    assert t.commands == (Hold(MUSIC),)
    assert call.state.phase is Phase.LEVEL_PAUSE
    assert armed_kinds(call) == {"level_delay"}
    assert t.timers[0].due_at == NOW + timedelta(seconds=20 + pause)
    t = call.fire("level_delay")
    assert isinstance(t.commands[0], RingLegs)
    assert t.state.phase is Phase.RINGING
    assert call.dialled() == ["+15550000003", "+15550000004"]


def test_delay_after_the_last_level_applies_before_the_next_round() -> None:
    call = ringing_call(level(BOB, delay=15), repeat=1, fallback=Fallback.MESSAGE)
    no_answer(call, "bob")
    assert call.state.phase is Phase.LEVEL_PAUSE
    call.fire("level_delay")
    assert "round_started" in call.note_kinds()
    no_answer(call, "bob")
    assert call.outcome() == (CallStatus.MISSED, "nobody answered")


def test_deadline_mid_ring_cancels_legs_and_falls_back() -> None:
    settings = Ringing(deadline_seconds=45)
    call = ringing_call(level(BOB, CAROL, DAVE, ring=20), ringing=settings)
    assert armed_kinds(call) == {"ring_timeout", "deadline"}
    call.fire("ring_timeout")
    carol = call.leg("carol").leg_id
    call.send(LegRinging(carol), after=2)
    t = call.fire("deadline")
    assert call.now == NOW + timedelta(seconds=45)
    assert t.commands[0] == CancelLegs((carol,))
    assert isinstance(t.commands[1], Record)
    assert call.leg("carol").status is LegStatus.CANCELED
    assert "deadline_reached" in call.note_kinds()
    assert call.state.phase is Phase.VOICEMAIL
    assert armed_kinds(call) == {"recording_timeout"}


def test_deadline_during_a_level_pause() -> None:
    settings = Ringing(deadline_seconds=30, level_delay_seconds=60)
    call = ringing_call(level(BOB), level(CAROL), ringing=settings, fallback=Fallback.MESSAGE)
    no_answer(call, "bob", after=10)
    assert armed_kinds(call) == {"level_delay", "deadline"}
    t = call.fire("deadline")
    assert t.commands == (Say(call.snapshot.no_answer_message), Hangup())
    assert call.outcome() == (CallStatus.MISSED, "nobody answered")


# --- caller id, hold mode, between attempts ---------------------------------------------------


def test_hold_mode_puts_the_caller_on_hold_and_says_between_attempts() -> None:
    settings = Ringing(mode=RingMode.HOLD, hold_music_url=MUSIC, between_attempts=BETWEEN)
    call = ringing_call(level(BOB, CAROL), ringing=settings)
    first = call.transitions[0].commands
    assert [type(c) for c in first] == [RaiseAlert, Hold, RingLegs]
    assert first[1] == Hold(MUSIC)
    ring_cmd = first[2]
    assert isinstance(ring_cmd, RingLegs)
    assert (ring_cmd.mode, ring_cmd.hold_music_url) == (RingMode.HOLD, MUSIC)
    no_answer(call, "bob")
    t = call.transitions[-1]
    assert t.commands[:2] == (Say(BETWEEN), Hold(MUSIC))
    assert isinstance(t.commands[2], RingLegs)
    # Nothing follows the last attempt, so nothing is said before the fallback.
    no_answer(call, "carol")
    assert not any(c == Say(BETWEEN) for c in call.transitions[-1].commands)


def test_dial_mode_between_attempts_and_router_caller_id() -> None:
    settings = Ringing(between_attempts=BETWEEN, caller_id=CallerId.ROUTER)
    call = ringing_call(level(BOB, CAROL), ringing=settings)
    no_answer(call, "bob")
    t = call.transitions[-1]
    assert t.commands[0] == Say(BETWEEN)
    ring_cmd = t.commands[1]
    assert isinstance(ring_cmd, RingLegs)
    assert ring_cmd.caller_id == call.snapshot.router_number


# --- hang-ups while ringing and bridged -------------------------------------------------------


def test_caller_hangs_up_while_ringing() -> None:
    call = ringing_call(level(BOB, CAROL, strategy=RingStrategy.SIMULTANEOUS))
    legs = tuple(leg.leg_id for leg in call.state.legs)
    t = call.send(CallerHungUp(), after=8)
    assert t.commands == (CancelLegs(legs),)
    assert t.notes[0].detail == {"phase": "ringing"}
    assert call.outcome() == (CallStatus.MISSED, "caller hung up during ringing")
    assert {leg.status for leg in call.state.legs} == {LegStatus.CANCELED}


def test_caller_hangs_up_during_a_level_pause() -> None:
    call = ringing_call(level(BOB, delay=20), level(CAROL))
    no_answer(call, "bob")
    t = call.send(CallerHungUp())
    assert t.commands == ()
    assert call.outcome() == (CallStatus.MISSED, "caller hung up during level pause")


def bridged(**changes: Any) -> Call:
    call = ringing_call(level(BOB), **changes)
    accept(call, "bob")
    return call


def test_caller_hangs_up_while_bridged() -> None:
    call = bridged()
    bob = call.leg("bob").leg_id
    t = call.send(CallerHungUp(), after=120)
    assert t.commands == (CancelLegs((bob,)),)
    assert call.outcome() == (CallStatus.COMPLETED, "caller hung up")
    assert call.leg("bob").status is LegStatus.COMPLETED


def test_responder_hangs_up_while_bridged() -> None:
    call = bridged(alert=AlertSettings(auto_resolve_on_call_end=True))
    t = call.send(LegEnded(call.leg("bob").leg_id, LegStatus.COMPLETED), after=300)
    assert t.commands == (Hangup(), ResolveAlert("responder hung up"))
    assert call.outcome() == (CallStatus.COMPLETED, "responder hung up")
    assert call.state.ended_at == call.now


def test_provider_error_on_the_bridged_leg_ends_the_call() -> None:
    call = bridged()
    call.send(ProviderError("media timeout", leg_id=call.leg("bob").leg_id))
    assert call.outcome() == (CallStatus.COMPLETED, "responder hung up")


def test_max_duration_ends_a_bridged_call() -> None:
    call = bridged(max_call_seconds=3600)
    bob = call.leg("bob").leg_id
    t = call.fire("max_duration")
    assert t.commands == (CancelLegs((bob,)), Hangup())
    assert call.outcome() == (CallStatus.COMPLETED, "maximum call length reached")


def test_provider_error_on_the_call_while_ringing_cancels_legs() -> None:
    call = ringing_call(level(BOB))
    t = call.send(ProviderError("call failed"))
    assert t.commands == (CancelLegs((call.leg("bob").leg_id,)),)
    assert call.outcome() == (CallStatus.FAILED, "call failed")


# --- alerts -----------------------------------------------------------------------------------


def test_alert_is_raised_once_acknowledged_by_the_acceptor_and_not_resolved_by_default() -> None:
    call = ringing_call(level(BOB), level(CAROL), repeat=1)
    no_answer(call, "bob")
    no_answer(call, "carol")
    no_answer(call, "bob")
    accept(call, "carol")
    call.send(CallerHungUp())
    assert [c for c in call.commands if isinstance(c, RaiseAlert | AcknowledgeAlert)][1:] == [
        AcknowledgeAlert("carol")
    ]
    assert not any(isinstance(c, ResolveAlert) for c in call.commands)


def test_alert_disabled_means_no_alert_commands() -> None:
    call = bridged(alert=AlertSettings(enabled=False, auto_resolve_on_call_end=True))
    call.send(CallerHungUp())
    kinds = (RaiseAlert, AcknowledgeAlert, ResolveAlert)
    assert not any(isinstance(c, kinds) for c in call.commands)


def test_alert_resolved_when_a_missed_call_ends() -> None:
    alert = AlertSettings(auto_resolve_on_call_end=True)
    call = ringing_call(level(BOB), alert=alert, fallback=Fallback.MESSAGE)
    no_answer(call, "bob")
    assert call.transitions[-1].commands[-1] == ResolveAlert("nobody answered")


def test_bridge_ended_for_a_responder_bridge_completes_the_call() -> None:
    call = bridged()
    t = call.send(BridgeEnded(LegStatus.COMPLETED), after=60)
    assert t.commands == (Hangup(),)
    assert call.outcome() == (CallStatus.COMPLETED, "responder hung up")
    assert call.leg("bob").status is LegStatus.COMPLETED


def test_a_second_answer_on_a_leg_waiting_for_its_key_is_ignored() -> None:
    call = ringing_call(level(BOB))
    bob = call.leg("bob").leg_id
    call.send(LegAnswered(bob))
    before = call.state
    t = call.send(LegAnswered(bob), after=1)
    assert (t.state, t.commands) == (before, ())


def test_a_level_pause_with_nowhere_to_go_falls_back() -> None:
    # Not reachable from a fresh call; a state saved before the router changed could be.
    action = ring(level(BOB))
    state = CallState(
        phase=Phase.LEVEL_PAUSE,
        status=CallStatus.RINGING_RESPONDERS,
        action=action,
        armed=(("level_delay", "level_delay-4"),),
        seq=5,
        alert_raised=True,
        started_at=NOW,
    )
    call = Call(snapshot(action=action, fallback=Fallback.MESSAGE), state=state)
    call.send(TimerFired("level_delay", "level_delay-4"))
    assert call.outcome() == (CallStatus.MISSED, "nobody answered")
