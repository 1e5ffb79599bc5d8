"""``step``: one event applied to a call, giving the next state and what to do about it.

The pipeline follows the router's design: screen, greet, menu, act, fall back, alert
(identifying the caller happens before the snapshot is taken). This module screens, runs the
menu and routes events; actions are carried out in ``actions.py``, ringing in ``ringing.py``,
voicemail and the no-answer message in ``fallback.py``, and calls we place in
``outbound.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from callroute.engine.callflow import actions, outbound, ringing
from callroute.engine.callflow.fallback import RECORDING_AFTER_HANGUP_SECONDS
from callroute.engine.callflow.model import (
    BridgeEnded,
    CallArrived,
    CalleeAnswered,
    CalleeUnreached,
    CallerHungUp,
    CallPlaced,
    CallState,
    CallStatus,
    ConnectionAnswered,
    Digits,
    Event,
    Gather,
    LegAnswered,
    LegEnded,
    LegRinging,
    Menu,
    Phase,
    Prompt,
    ProviderError,
    RecordingReady,
    Reject,
    Say,
    Snapshot,
    TimerFired,
    TranscriptReady,
    Transition,
)
from callroute.engine.callflow.step_context import (
    ACCEPT_TIMEOUT,
    DEADLINE,
    DIAL_TIMEOUT,
    LEVEL_DELAY,
    MAX_DURATION,
    MENU_TIMEOUT,
    PIN_TIMEOUT,
    RECORDING_TIMEOUT,
    RING_TIMEOUT,
    TIMER_PHASES,
    Ctx,
)

PIN_GATHER_SECONDS = 10
# Gather's own timeout posts an empty result; the timer only covers a webhook that never came.
GATHER_GRACE_SECONDS = 5
WRONG_PIN = Prompt("That PIN is not correct.")


def step(snapshot: Snapshot, state: CallState, event: Event, now: datetime) -> Transition:
    """Apply ``event`` to a call at instant ``now`` (aware). Pure: same inputs, same result."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if isinstance(event, TimerFired) and (event.kind, event.token) not in state.armed:
        return Transition(state)  # fenced: re-armed or disarmed since it was scheduled
    ctx = Ctx(snapshot, now, state)
    if state.phase is Phase.ENDED:
        if not _after_end(ctx, event):
            return Transition(state)
        return ctx.finish()
    _dispatch(ctx, event)
    return ctx.finish()


def _dispatch(ctx: Ctx, event: Event) -> None:
    if ctx.snapshot.outbound is not None and outbound.dispatch(ctx, event):
        return
    match event:
        case CallArrived():
            _on_arrived(ctx, event)
        case Digits(leg_id=None):
            _on_caller_digits(ctx, event)
        case Digits():
            ringing.on_leg_digits(ctx, event)
        case LegRinging():
            ringing.on_leg_ringing(ctx, event)
        case LegAnswered():
            ringing.on_leg_answered(ctx, event)
        case LegEnded():
            ringing.on_leg_ended(ctx, event)
        case CallerHungUp():
            _on_caller_hung_up(ctx)
        case TimerFired():
            _on_timer(ctx, event)
        case RecordingReady():
            actions.on_recording(ctx, event)
        case TranscriptReady():
            actions.on_transcript(ctx, event)
        case ProviderError(leg_id=None):
            ctx.note("provider_error", message=event.message)
            ctx.end(CallStatus.FAILED, event.message, hangup=False)
        case ProviderError():
            ringing.on_leg_error(ctx, event)
        case BridgeEnded():
            actions.on_bridge_ended(ctx, event)
        case ConnectionAnswered():
            actions.on_connection_answered(ctx, event)
        case CallPlaced() | CalleeAnswered() | CalleeUnreached():
            ctx.ignore(event)  # events of a call we place, on an inbound call


def _after_end(ctx: Ctx, event: Event) -> bool:
    """Content that arrives after the call: transcripts, and a recording that came late."""
    match event:
        case TranscriptReady():
            actions.on_transcript(ctx, event)
            return True
        case RecordingReady() if event.duration_seconds > 0 and _gave_up_on_recording(ctx.state):
            ctx.update(
                recording_url=event.url,
                status=CallStatus.VOICEMAIL,
                reason=actions.VOICEMAIL_LEFT,
            )
            ctx.note("late_recording", url=event.url, duration_seconds=event.duration_seconds)
            ctx.attach(recording_url=event.url)
            return True
    return False


def _gave_up_on_recording(state: CallState) -> bool:
    return state.reason == actions.NO_RECORDING and state.recording_url is None


# --- screening --------------------------------------------------------------------------------


def _on_arrived(ctx: Ctx, event: CallArrived) -> None:
    if ctx.state.phase is not Phase.NEW:
        ctx.ignore(event)
        return
    snapshot, screening = ctx.snapshot, ctx.snapshot.screening
    ctx.update(started_at=ctx.now)
    ctx.note("call_arrived", caller=snapshot.caller, router_number=snapshot.router_number)
    if snapshot.caller in screening.blocklist:
        if screening.blocked_message is None:
            ctx.emit(Reject("blocklist"))
            ctx.end(CallStatus.REJECTED, "caller is on the blocklist", hangup=False)
        else:
            ctx.emit(Say(screening.blocked_message))
            ctx.end(CallStatus.REJECTED, "caller is on the blocklist", hangup=True)
    elif screening.allowlist is not None and snapshot.caller not in screening.allowlist:
        ctx.emit(Say(screening.not_allowed_message))
        ctx.end(CallStatus.REJECTED, "caller is not on the allowlist", hangup=True)
    elif screening.pin:
        ctx.update(phase=Phase.PIN)
        _prompt_pin(ctx)
    else:
        _after_screening(ctx)


def _prompt_pin(ctx: Ctx) -> None:
    screening = ctx.snapshot.screening
    assert screening.pin is not None
    ctx.emit(
        Gather(
            screening.pin_prompt,
            num_digits=len(screening.pin),
            timeout_seconds=PIN_GATHER_SECONDS,
            finish_on_key="#",
        )
    )
    ctx.arm(PIN_TIMEOUT, PIN_GATHER_SECONDS + GATHER_GRACE_SECONDS)


def _on_pin(ctx: Ctx, digits: str) -> None:
    screening = ctx.snapshot.screening
    if digits == screening.pin:
        ctx.note("pin_accepted")
        _after_screening(ctx)
        return
    attempts = ctx.state.pin_attempts + 1
    ctx.update(pin_attempts=attempts)
    ctx.note("pin_rejected", attempt=attempts, no_input=not digits)
    if attempts < screening.pin_attempts:
        ctx.emit(Say(WRONG_PIN))
        _prompt_pin(ctx)
        return
    ctx.emit(Say(screening.not_allowed_message))
    ctx.end(CallStatus.REJECTED, "wrong PIN", hangup=True)


def _after_screening(ctx: Ctx) -> None:
    snapshot = ctx.snapshot
    if snapshot.greeting is not None:
        ctx.emit(Say(snapshot.greeting))
    if snapshot.after_hours is not None:
        ctx.note("after_hours")
        actions.run_action(ctx, snapshot.after_hours)
    elif snapshot.menu is not None:
        ctx.update(phase=Phase.MENU, status=CallStatus.IN_MENU, menu_attempts=1)
        _prompt_menu(ctx, snapshot.menu)
    elif snapshot.action is not None:
        actions.run_action(ctx, snapshot.action)
    else:
        ctx.emit(Say(snapshot.no_answer_message))
        ctx.end(CallStatus.FAILED, "router has no action", hangup=True)


# --- menu -------------------------------------------------------------------------------------


def _prompt_menu(ctx: Ctx, menu: Menu) -> None:
    ctx.emit(Gather(menu.prompt, num_digits=1, timeout_seconds=menu.timeout_seconds))
    ctx.arm(MENU_TIMEOUT, menu.timeout_seconds + GATHER_GRACE_SECONDS)


def _on_menu(ctx: Ctx, digits: str) -> None:
    menu = ctx.snapshot.menu
    assert menu is not None, "menu phase without a menu"
    if digits == "*":
        ctx.note("menu_repeated")
        _prompt_menu(ctx, menu)
        return
    options = {option.digit: option.action for option in menu.options}
    if digits in options:
        ctx.note("menu_choice", digit=digits, label=options[digits].label)
        actions.run_action(ctx, options[digits])
        return
    ctx.note("menu_invalid" if digits else "menu_no_input", digit=digits or None)
    if ctx.state.menu_attempts < menu.max_attempts:
        ctx.update(menu_attempts=ctx.state.menu_attempts + 1)
        if digits and menu.invalid_prompt is not None:
            ctx.emit(Say(menu.invalid_prompt))
        _prompt_menu(ctx, menu)
    elif menu.default_digit is not None and menu.default_digit in options:
        default = options[menu.default_digit]
        ctx.note("menu_choice", digit=menu.default_digit, label=default.label, default=True)
        actions.run_action(ctx, default)
    else:
        ctx.emit(Say(ctx.snapshot.no_answer_message))
        ctx.end(CallStatus.MISSED, "no menu choice", hangup=True)


def _on_caller_digits(ctx: Ctx, event: Digits) -> None:
    if ctx.state.phase is Phase.PIN:
        _on_pin(ctx, event.digits)
    elif ctx.state.phase is Phase.MENU:
        _on_menu(ctx, event.digits)
    else:
        ctx.ignore(event)


# --- hang-ups and timers ----------------------------------------------------------------------


def _on_caller_hung_up(ctx: Ctx) -> None:
    state = ctx.state
    ctx.release_legs()
    ctx.note("caller_hung_up", phase=state.phase.value)
    if state.phase is Phase.VOICEMAIL:
        # The provider still posts what was recorded; wait for it rather than call it missed.
        ctx.arm(RECORDING_TIMEOUT, RECORDING_AFTER_HANGUP_SECONDS)
    elif state.phase is Phase.BRIDGED and state.answered_at is not None:
        ctx.end(CallStatus.COMPLETED, "caller hung up", hangup=False)
    else:
        phase = state.phase.value.replace("_", " ")
        ctx.end(CallStatus.MISSED, f"caller hung up during {phase}", hangup=False)


def _on_pin_timeout(ctx: Ctx) -> None:
    _on_pin(ctx, "")


def _on_menu_timeout(ctx: Ctx) -> None:
    _on_menu(ctx, "")


def _on_max_duration(ctx: Ctx) -> None:
    answered = ctx.state.answered_at is not None
    status = CallStatus.COMPLETED if answered else CallStatus.MISSED
    ctx.end(status, "maximum call length reached", hangup=True)


def _on_recording_timeout(ctx: Ctx) -> None:
    ctx.end(CallStatus.MISSED, actions.NO_RECORDING, hangup=True)


_TIMERS: dict[str, Callable[[Ctx], None]] = {
    PIN_TIMEOUT: _on_pin_timeout,
    MENU_TIMEOUT: _on_menu_timeout,
    RING_TIMEOUT: ringing.on_ring_timeout,
    ACCEPT_TIMEOUT: ringing.on_accept_timeout,
    LEVEL_DELAY: ringing.on_level_delay,
    DEADLINE: ringing.on_deadline,
    MAX_DURATION: _on_max_duration,
    RECORDING_TIMEOUT: _on_recording_timeout,
    DIAL_TIMEOUT: outbound.on_dial_timeout,
}


def _on_timer(ctx: Ctx, event: TimerFired) -> None:
    ctx.disarm(event.kind)  # a timer fires once
    handler = _TIMERS.get(event.kind)
    if handler is None or ctx.state.phase not in TIMER_PHASES[event.kind]:
        ctx.ignore(event)
        return
    ctx.note("timer_fired", kind=event.kind)
    handler(ctx)
