"""The call state machine before and around ringing: screening, greeting, menu, actions,
voicemail, connections, hang-ups, errors, timer fencing and alerts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from callroute.engine.callflow.machine import step
from callroute.engine.callflow.model import (
    AcknowledgeAlert,
    Action,
    ActionKind,
    AlertSettings,
    AttachToAlert,
    BridgeEnded,
    CallArrived,
    CallerHungUp,
    CallerId,
    CallState,
    CallStatus,
    Command,
    ConnectionAnswered,
    ConnectStream,
    DialSip,
    Digits,
    Event,
    Fallback,
    Forward,
    Gather,
    Hangup,
    LegStatus,
    Menu,
    MenuOption,
    Phase,
    Prompt,
    ProviderError,
    RaiseAlert,
    Record,
    RecordingReady,
    Reject,
    ResolveAlert,
    Ringing,
    Say,
    Screening,
    TimerFired,
    TranscriptReady,
    Transition,
)
from tests.unit.test_callflow_support import (
    CALLER,
    NOW,
    ROUTER_NUMBER,
    Call,
    level,
    responder,
    ring,
    say,
    snapshot,
)

GREETING = say("Thanks for calling support.")
STATUS = say("All systems go.")
MESSAGE = Action(ActionKind.MESSAGE, label="Status", message=STATUS)
VOICEMAIL = Action(ActionKind.VOICEMAIL, label="Leave a message")
FORWARD = Action(ActionKind.FORWARD, label="Front desk", number="+15557770000")
SIP = Action(ActionKind.SIP, label="PBX", sip_uri="sip:desk@pbx.example.com")
BOT = Action(
    ActionKind.BOT,
    label="Assistant",
    stream_url="wss://bot.example.com/stream",
    stream_parameters=(("lang", "en"), ("tier", "gold")),
)
RING = ring(level(responder("alice")))
INVALID = say("That is not an option.")
MENU = Menu(
    prompt=say("Press 1 for status, 2 for on-call, 3 for voicemail."),
    options=(
        MenuOption("1", MESSAGE),
        MenuOption("2", RING),
        MenuOption("3", VOICEMAIL),
    ),
    timeout_seconds=6,
    max_attempts=3,
    invalid_prompt=INVALID,
)
GATHER_MENU = Gather(MENU.prompt, num_digits=1, timeout_seconds=6)
NO_ANSWER = snapshot().no_answer_message


# --- screening -------------------------------------------------------------------------------


def test_blocklisted_caller_without_message_is_rejected_unanswered() -> None:
    call = Call(snapshot(screening=Screening(blocklist=frozenset({CALLER})), action=MESSAGE))
    t = call.arrive()
    assert t.commands == (Reject("blocklist"),)
    assert call.outcome() == (CallStatus.REJECTED, "caller is on the blocklist")
    assert call.state.started_at == NOW
    assert call.state.ended_at == NOW
    assert t.notes[-1].kind == "call_ended"
    assert t.notes[-1].detail == {"status": "rejected", "reason": "caller is on the blocklist"}


def test_blocklisted_caller_with_message_hears_it() -> None:
    blocked = say("This number is blocked.")
    screening = Screening(blocklist=frozenset({CALLER}), blocked_message=blocked)
    call = Call(snapshot(screening=screening, greeting=GREETING, action=MESSAGE))
    assert call.arrive().commands == (Say(blocked), Hangup())
    assert call.state.status is CallStatus.REJECTED


@pytest.mark.parametrize(
    ("allowlist", "allowed"),
    [(None, True), (frozenset({CALLER}), True), (frozenset({"+15559999999"}), False)],
)
def test_allowlist(allowlist: frozenset[str] | None, allowed: bool) -> None:
    screening = Screening(allowlist=allowlist)
    call = Call(snapshot(screening=screening, action=MESSAGE))
    t = call.arrive()
    if allowed:
        assert call.outcome() == (CallStatus.COMPLETED, "message played")
    else:
        assert t.commands == (Say(screening.not_allowed_message), Hangup())
        assert call.outcome() == (CallStatus.REJECTED, "caller is not on the allowlist")


PIN = Screening(pin="4321", pin_attempts=3)
PIN_GATHER = Gather(PIN.pin_prompt, num_digits=4, timeout_seconds=10, finish_on_key="#")
WRONG_PIN = Say(Prompt("That PIN is not correct."))


def test_pin_prompt_and_correct_pin() -> None:
    call = Call(snapshot(screening=PIN, greeting=GREETING, action=MESSAGE))
    t = call.arrive()
    assert t.commands == (PIN_GATHER,)
    assert call.state.phase is Phase.PIN
    assert [(timer.kind, timer.due_at) for timer in t.timers] == [
        ("pin_timeout", NOW + timedelta(seconds=15))
    ]
    t = call.press("4321")
    assert t.commands == (Say(GREETING), Say(STATUS), Hangup())
    assert call.outcome() == (CallStatus.COMPLETED, "message played")


def test_wrong_pin_twice_then_right() -> None:
    call = Call(snapshot(screening=PIN, action=MESSAGE))
    call.arrive()
    assert call.press("1111").commands == (WRONG_PIN, PIN_GATHER)
    assert call.press("").commands == (WRONG_PIN, PIN_GATHER)
    assert call.state.pin_attempts == 2
    call.press("4321")
    assert call.outcome() == (CallStatus.COMPLETED, "message played")


def test_three_wrong_pins_reject() -> None:
    call = Call(snapshot(screening=PIN, action=MESSAGE))
    call.arrive()
    call.press("1111")
    call.press("2222")
    t = call.press("3333")
    assert t.commands == (Say(PIN.not_allowed_message), Hangup())
    assert call.outcome() == (CallStatus.REJECTED, "wrong PIN")


def test_pin_timeout_counts_as_a_wrong_entry() -> None:
    call = Call(snapshot(screening=PIN, action=MESSAGE))
    call.arrive()
    first = call.state.armed
    t = call.fire("pin_timeout")
    assert t.commands == (WRONG_PIN, PIN_GATHER)
    assert call.state.armed != first  # re-armed with a new token
    call.fire("pin_timeout")
    call.fire("pin_timeout")
    assert call.outcome() == (CallStatus.REJECTED, "wrong PIN")


def test_pin_then_menu_disarms_the_pin_timer() -> None:
    call = Call(snapshot(screening=PIN, menu=MENU))
    call.arrive()
    call.press("4321")
    assert [kind for kind, _ in call.state.armed] == ["menu_timeout"]


# --- greeting, after hours, no action ---------------------------------------------------------


@pytest.mark.parametrize("greeting", [GREETING, None])
def test_greeting_comes_first_when_there_is_one(greeting: Prompt | None) -> None:
    call = Call(snapshot(greeting=greeting, action=MESSAGE))
    expected: tuple[Command, ...] = (Say(STATUS), Hangup())
    if greeting is not None:
        expected = (Say(greeting), *expected)
    assert call.arrive().commands == expected


def test_after_hours_action_wins_over_menu_and_action() -> None:
    closed = Action(ActionKind.MESSAGE, message=say("We are closed."))
    call = Call(snapshot(greeting=GREETING, after_hours=closed, menu=MENU, action=RING))
    t = call.arrive()
    assert t.commands == (Say(GREETING), Say(say("We are closed.")), Hangup())
    assert "after_hours" in call.note_kinds()


def test_router_without_any_action_fails() -> None:
    call = Call(snapshot())
    assert call.arrive().commands == (Say(NO_ANSWER), Hangup())
    assert call.outcome() == (CallStatus.FAILED, "router has no action")


# --- menu ------------------------------------------------------------------------------------


def test_menu_choice_runs_the_option() -> None:
    call = Call(snapshot(greeting=GREETING, menu=MENU))
    t = call.arrive()
    assert t.commands == (Say(GREETING), GATHER_MENU)
    assert (call.state.phase, call.state.status) == (Phase.MENU, CallStatus.IN_MENU)
    assert call.state.menu_attempts == 1
    assert t.timers[0].due_at == NOW + timedelta(seconds=11)
    t = call.press("1")
    assert t.notes[0].kind == "menu_choice"
    assert t.notes[0].detail == {"digit": "1", "label": "Status"}
    assert call.outcome() == (CallStatus.COMPLETED, "message played")


def test_invalid_key_then_success() -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    t = call.press("7")
    assert t.commands == (Say(INVALID), GATHER_MENU)
    assert call.state.menu_attempts == 2
    call.press("3")
    assert call.state.phase is Phase.VOICEMAIL


def test_no_input_reprompts_without_the_invalid_prompt_then_takes_the_default() -> None:
    menu = replace(MENU, default_digit="3", max_attempts=2)
    call = Call(snapshot(menu=menu))
    call.arrive()
    assert call.press("").commands == (GATHER_MENU,)
    t = call.fire("menu_timeout")
    choice = next(n for n in t.notes if n.kind == "menu_choice")
    assert choice.detail == {"digit": "3", "label": "Leave a message", "default": True}
    assert call.state.phase is Phase.VOICEMAIL
    assert call.state.action == VOICEMAIL


def test_menu_exhausted_without_default_hangs_up() -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    call.press("9")
    call.press("")
    t = call.press("8")
    assert t.commands == (Say(NO_ANSWER), Hangup())
    assert call.outcome() == (CallStatus.MISSED, "no menu choice")


def test_menu_default_that_names_no_option_hangs_up() -> None:
    call = Call(snapshot(menu=replace(MENU, default_digit="9", max_attempts=1)))
    call.arrive()
    call.press("")
    assert call.outcome() == (CallStatus.MISSED, "no menu choice")


def test_star_repeats_the_menu_without_counting_an_attempt() -> None:
    call = Call(snapshot(menu=replace(MENU, max_attempts=1)))
    call.arrive()
    for _ in range(4):
        assert call.press("*").commands == (GATHER_MENU,)
    assert call.state.menu_attempts == 1
    call.press("2")
    assert call.state.phase is Phase.RINGING


def test_menu_timer_is_rearmed_on_each_prompt_and_the_old_token_is_stale() -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    old = call.due["menu_timeout"]
    call.press("*")
    t = call.send(TimerFired("menu_timeout", old.token))
    assert t == Transition(call.transitions[-2].state)
    assert t.commands == ()


# --- message, voicemail ----------------------------------------------------------------------


def test_message_without_text_just_hangs_up() -> None:
    call = Call(snapshot(action=Action(ActionKind.MESSAGE)))
    assert call.arrive().commands == (Hangup(),)


def start_voicemail(**changes: object) -> Call:
    call = Call(snapshot(action=VOICEMAIL, **changes))
    call.arrive()
    return call


def test_voicemail_records_raises_an_alert_and_attaches_recording_and_transcript() -> None:
    call = Call(snapshot(action=VOICEMAIL, alert=AlertSettings(urgency="high")))
    t = call.arrive()
    vm = call.snapshot.voicemail
    assert t.commands == (
        RaiseAlert("Call from +15551230000 to Leave a message", "high", None, None),
        Record(vm.greeting, vm.max_length_seconds, vm.finish_on_key, vm.transcribe),
    )
    assert [(x.kind, x.due_at) for x in t.timers] == [
        ("recording_timeout", NOW + timedelta(seconds=150))
    ]
    t = call.send(RecordingReady("https://rec/1.mp3", 42), after=50)
    assert t.commands == (AttachToAlert(recording_url="https://rec/1.mp3"), Hangup())
    assert call.outcome() == (CallStatus.VOICEMAIL, "voicemail left")
    assert call.state.recording_url == "https://rec/1.mp3"
    ended = call.state
    t = call.send(TranscriptReady("The database is down"), after=30)
    assert t.commands == (AttachToAlert(transcript="The database is down"),)
    assert t.notes[0].kind == "transcript_ready"
    assert t.state == ended


def test_zero_length_recording_is_a_missed_call() -> None:
    call = start_voicemail()
    assert call.send(RecordingReady("https://rec/2.mp3", 0)).commands == (Hangup(),)
    assert call.outcome() == (CallStatus.MISSED, "caller left no message")
    assert call.state.recording_url is None


def test_recording_timeout_then_a_late_recording_still_counts() -> None:
    call = start_voicemail()
    assert call.fire("recording_timeout").commands == (Hangup(),)
    assert call.outcome() == (CallStatus.MISSED, "no recording arrived")
    t = call.send(RecordingReady("https://rec/3.mp3", 12), after=5)
    assert t.commands == (AttachToAlert(recording_url="https://rec/3.mp3"),)
    assert call.outcome() == (CallStatus.VOICEMAIL, "voicemail left")
    assert call.state.phase is Phase.ENDED
    again = call.send(RecordingReady("https://rec/3.mp3", 12))
    assert again == Transition(call.transitions[-2].state)


def test_caller_hanging_up_during_voicemail_waits_for_the_recording() -> None:
    call = start_voicemail()
    t = call.send(CallerHungUp(), after=20)
    assert t.commands == ()
    assert call.state.phase is Phase.VOICEMAIL
    assert t.timers[0].due_at == call.now + timedelta(seconds=60)
    call.send(RecordingReady("https://rec/4.mp3", 18), after=3)
    assert call.outcome() == (CallStatus.VOICEMAIL, "voicemail left")


def test_transcript_during_a_call_changes_nothing_but_attaches() -> None:
    call = start_voicemail()
    before = call.state
    t = call.send(TranscriptReady("partial"))
    assert t.state == before
    assert t.commands == (AttachToAlert(transcript="partial"),)


def test_without_an_alert_nothing_is_attached() -> None:
    call = start_voicemail(alert=AlertSettings(enabled=False))
    assert not any(isinstance(c, RaiseAlert) for c in call.commands)
    t = call.send(RecordingReady("https://rec/5.mp3", 9))
    assert t.commands == (Hangup(),)
    assert call.send(TranscriptReady("hi")).commands == ()


# --- connections: forward, SIP, bot -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "caller_id", "command"),
    [
        (FORWARD, CallerId.CALLER, Forward("+15557770000", CALLER, 30)),
        (FORWARD, CallerId.ROUTER, Forward("+15557770000", ROUTER_NUMBER, 30)),
        (SIP, CallerId.CALLER, DialSip("sip:desk@pbx.example.com", CALLER, 30)),
        (BOT, CallerId.CALLER, ConnectStream(BOT.stream_url or "", BOT.stream_parameters)),
    ],
)
def test_connection_answered_and_completed(
    action: Action, caller_id: CallerId, command: object
) -> None:
    call = Call(snapshot(action=action, ringing=Ringing(caller_id=caller_id)))
    t = call.arrive()
    assert t.commands == (command,)
    assert (call.state.phase, call.state.status) == (Phase.BRIDGED, CallStatus.RINGING_RESPONDERS)
    assert [x.kind for x in t.timers] == ["max_duration"]
    call.send(ConnectionAnswered(), after=5)
    assert (call.state.status, call.state.answered_at) == (CallStatus.ANSWERED, call.now)
    assert call.send(ConnectionAnswered()).commands == ()  # repeated: no second effect
    answered_at = call.state.answered_at
    assert call.send(BridgeEnded(LegStatus.COMPLETED), after=60).commands == (Hangup(),)
    assert call.outcome() == (CallStatus.COMPLETED, "connection ended")
    assert call.state.answered_at == answered_at


@pytest.mark.parametrize(
    "outcome",
    [
        LegStatus.NO_ANSWER,
        LegStatus.BUSY,
        LegStatus.FAILED,
        LegStatus.CANCELED,
        LegStatus.COMPLETED,
    ],
)
def test_forward_not_answered_falls_back_to_voicemail(outcome: LegStatus) -> None:
    call = Call(snapshot(action=FORWARD))
    call.arrive()
    t = call.send(BridgeEnded(outcome), after=30)
    assert isinstance(t.commands[0], RaiseAlert)
    assert t.commands[0].summary == "Call from +15551230000 to Front desk"
    assert isinstance(t.commands[1], Record)
    assert call.state.phase is Phase.VOICEMAIL


def test_forward_not_answered_with_message_fallback() -> None:
    call = Call(snapshot(action=SIP, fallback=Fallback.MESSAGE))
    call.arrive()
    t = call.send(BridgeEnded(LegStatus.BUSY))
    assert t.commands == (Say(NO_ANSWER), Hangup())
    assert call.outcome() == (CallStatus.MISSED, "nobody answered")


def test_bot_stream_completing_without_an_answer_event_is_completed() -> None:
    call = Call(snapshot(action=BOT))
    call.arrive()
    call.send(BridgeEnded(LegStatus.COMPLETED), after=90)
    assert call.outcome() == (CallStatus.COMPLETED, "connection ended")


def test_bot_stream_failing_falls_back() -> None:
    call = Call(snapshot(action=BOT))
    call.arrive()
    call.send(BridgeEnded(LegStatus.FAILED))
    assert call.state.phase is Phase.VOICEMAIL


def test_answered_connection_ending_badly_is_still_completed() -> None:
    call = Call(snapshot(action=FORWARD))
    call.arrive()
    call.send(ConnectionAnswered())
    call.send(BridgeEnded(LegStatus.FAILED))
    assert call.state.status is CallStatus.COMPLETED


@pytest.mark.parametrize("action", [Action(ActionKind.FORWARD), Action(ActionKind.BOT)])
def test_connection_without_a_target_fails(action: Action) -> None:
    call = Call(snapshot(action=action))
    call.arrive()
    assert call.state.status is CallStatus.FAILED
    assert call.state.reason == f"{action.kind.value} action has no target"


@pytest.mark.parametrize(("answered", "status"), [(True, "completed"), (False, "missed")])
def test_max_duration_ends_a_connection(answered: bool, status: str) -> None:
    call = Call(snapshot(action=FORWARD, max_call_seconds=600))
    call.arrive()
    if answered:
        call.send(ConnectionAnswered())
    assert call.fire("max_duration").commands == (Hangup(),)
    assert call.outcome() == (CallStatus(status), "maximum call length reached")
    assert call.now == NOW + timedelta(seconds=600)


def test_caller_hanging_up_on_an_answered_connection_completes_it() -> None:
    call = Call(snapshot(action=FORWARD))
    call.arrive()
    call.send(ConnectionAnswered())
    assert call.send(CallerHungUp()).commands == ()
    assert call.outcome() == (CallStatus.COMPLETED, "caller hung up")


def test_caller_hanging_up_before_the_connection_answers_is_missed() -> None:
    call = Call(snapshot(action=FORWARD))
    call.arrive()
    call.send(CallerHungUp())
    assert call.outcome() == (CallStatus.MISSED, "caller hung up during bridged")


# --- hang-ups, errors, fencing, events after the end -------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"screening": PIN, "action": MESSAGE}, "caller hung up during pin"),
        ({"menu": MENU}, "caller hung up during menu"),
    ],
)
def test_caller_hanging_up_before_any_action_is_missed(
    changes: dict[str, object], reason: str
) -> None:
    call = Call(snapshot(**changes))
    call.arrive()
    t = call.send(CallerHungUp(), after=3)
    assert t.commands == ()
    assert t.notes[0].kind == "caller_hung_up"
    assert call.outcome() == (CallStatus.MISSED, reason)
    assert call.state.ended_at == NOW + timedelta(seconds=3)


def test_provider_error_on_the_call_fails_it() -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    t = call.send(ProviderError("Twilio 31005: connection error"))
    assert t.commands == ()
    assert call.outcome() == (CallStatus.FAILED, "Twilio 31005: connection error")


def test_events_after_the_end_are_absorbed() -> None:
    call = Call(snapshot(action=MESSAGE))
    call.arrive()
    ended = call.state
    for event in (
        CallArrived(),
        Digits("1"),
        CallerHungUp(),
        ProviderError("late"),
        BridgeEnded(LegStatus.COMPLETED),
        ConnectionAnswered(),
        RecordingReady("https://rec/x", 10),
        TimerFired("menu_timeout", "menu_timeout-0"),
    ):
        assert call.send(event) == Transition(ended)


def test_a_second_call_arrived_is_ignored() -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    before = call.state
    t = call.arrive()
    assert (t.state, t.commands) == (before, ())
    assert [n.kind for n in t.notes] == ["ignored_event"]


def test_unknown_or_stale_timer_is_fenced() -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    before = call.state
    for event in (TimerFired("menu_timeout", "menu_timeout-99"), TimerFired("bogus", "x")):
        assert call.send(event) == Transition(before)


def test_step_is_pure_and_needs_an_aware_now() -> None:
    snap = snapshot(menu=MENU)
    assert step(snap, CallState(), CallArrived(), NOW) == step(
        snap, CallState(), CallArrived(), NOW
    )
    with pytest.raises(ValueError, match="aware"):
        step(snap, CallState(), CallArrived(), NOW.replace(tzinfo=None))


# --- alerts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("auto_resolve", [True, False])
def test_alert_is_resolved_on_call_end_only_when_configured(auto_resolve: bool) -> None:
    alert = AlertSettings(auto_resolve_on_call_end=auto_resolve)
    call = start_voicemail(alert=alert)
    t = call.send(RecordingReady("https://rec/6.mp3", 7))
    resolves = [c for c in t.commands if isinstance(c, ResolveAlert)]
    assert resolves == ([ResolveAlert("voicemail left")] if auto_resolve else [])


def test_no_alert_for_a_message_or_a_menu() -> None:
    call = Call(snapshot(menu=MENU, alert=AlertSettings(auto_resolve_on_call_end=True)))
    call.arrive()
    call.press("1")
    assert not any(isinstance(c, RaiseAlert | ResolveAlert) for c in call.commands)


def test_alert_uses_caller_name_router_name_and_action_urgency() -> None:
    action = replace(VOICEMAIL, label="", urgency="low")
    alert = AlertSettings(urgency="high")
    call = Call(snapshot(action=action, caller_name="Dana from Acme", alert=alert))
    t = call.arrive()
    assert t.commands[0] == RaiseAlert(
        "Call from Dana from Acme to Support line", "low", None, None
    )


def test_menu_choice_ringing_is_acknowledged_by_the_accepting_member() -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    t = call.press("2")
    assert isinstance(t.commands[0], RaiseAlert)
    assert t.commands[0].target_type == "escalation_policy"
    leg = call.leg("alice")
    call.press("1", leg.leg_id)
    assert AcknowledgeAlert("alice") in call.commands


@pytest.mark.parametrize(
    "event",
    [
        BridgeEnded(LegStatus.COMPLETED),
        ConnectionAnswered(),
        RecordingReady("https://rec/7.mp3", 5),
    ],
)
def test_events_that_do_not_fit_the_phase_are_ignored(event: Event) -> None:
    call = Call(snapshot(menu=MENU))
    call.arrive()
    before = call.state
    t = call.send(event)
    assert (t.state, t.commands) == (before, ())
    assert [n.kind for n in t.notes] == ["ignored_event"]


def test_caller_keys_outside_pin_and_menu_are_ignored() -> None:
    call = Call(snapshot(action=RING))
    call.arrive()
    before = call.state
    t = call.press("1")
    assert (t.state, t.commands) == (before, ())


def test_a_timer_left_from_another_phase_is_ignored_and_pruned() -> None:
    state = CallState(
        phase=Phase.MENU,
        status=CallStatus.IN_MENU,
        menu_attempts=1,
        armed=(("ring_timeout", "ring_timeout-0"), ("menu_timeout", "menu_timeout-1")),
        seq=2,
        started_at=NOW,
    )
    call = Call(snapshot(menu=MENU), state=state)
    t = call.send(TimerFired("ring_timeout", "ring_timeout-0"))
    assert t.commands == ()
    assert t.state.armed == (("menu_timeout", "menu_timeout-1"),)
