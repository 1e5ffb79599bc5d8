"""Outbound calls: dial the other party from the router's number and, once they answer,
connect them as the router's outbound mode says — a SIP trunk, a bot's media stream, or
nothing at all (answer only: the call stays up until someone hangs up).

An outbound call never rings responders, records voicemail or raises an alert; it has its
own reasons for ending. ``dispatch`` takes the events whose meaning differs from an inbound
call; the rest (timers, provider errors, stray keys) go through the common handlers.
"""

from __future__ import annotations

from callroute.engine.callflow import ringing
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
    Event,
    LegStatus,
    Outbound,
    OutboundMode,
    Phase,
    PlaceCall,
)
from callroute.engine.callflow.step_context import DIAL_TIMEOUT, MAX_DURATION, Ctx

# The provider reports an unanswered dial itself; the timer only covers a report that never
# came.
DIAL_GRACE_SECONDS = 15
CONNECT_TIMEOUT_SECONDS = 30

NO_ANSWER = "the called party did not answer"
BUSY = "the called party was busy"
NOT_CONNECTED = "the call could not be connected"
CALLEE_HUNG_UP = "the called party hung up"


def dispatch(ctx: Ctx, event: Event) -> bool:
    """Handle ``event`` for an outbound call; False when the common handler applies."""
    match event:
        case CallPlaced():
            _on_placed(ctx, event)
        case CalleeAnswered():
            _on_answered(ctx, event)
        case CalleeUnreached():
            _on_unreached(ctx, event)
        case CallerHungUp():
            _on_hung_up(ctx, event)
        case ConnectionAnswered():
            _on_connection_answered(ctx, event)
        case BridgeEnded():
            _on_bridge_ended(ctx, event)
        case CallArrived():
            ctx.ignore(event)  # nobody calls in on a call we place
        case _:
            return False
    return True


def _plan(ctx: Ctx) -> Outbound:
    outbound = ctx.snapshot.outbound
    assert outbound is not None, "outbound handler on an inbound call"
    return outbound


def _connection(ctx: Ctx, action: Action) -> Command | None:
    if action.kind is ActionKind.SIP and action.sip_uri:
        return DialSip(action.sip_uri, ringing.caller_id(ctx.snapshot), CONNECT_TIMEOUT_SECONDS)
    if action.kind is ActionKind.BOT and action.stream_url:
        return ConnectStream(action.stream_url, action.stream_parameters)
    return None


def _on_placed(ctx: Ctx, event: CallPlaced) -> None:
    if ctx.state.phase is not Phase.NEW:
        ctx.ignore(event)
        return
    plan, snapshot = _plan(ctx), ctx.snapshot
    ctx.update(started_at=ctx.now, action=plan.connect)
    ctx.note("call_placed", to=snapshot.caller, mode=plan.mode.value)
    if plan.mode is not OutboundMode.ANSWER_ONLY and (
        plan.connect is None or _connection(ctx, plan.connect) is None
    ):
        # Checked before dialling: nobody should pick up to a call that cannot go anywhere.
        ctx.end(
            CallStatus.FAILED, f"the {plan.mode.value} outbound mode has no target", hangup=False
        )
        return
    ctx.update(phase=Phase.DIALING, status=CallStatus.RINGING)
    ctx.emit(PlaceCall(snapshot.caller, snapshot.router_number, plan.dial_timeout_seconds))
    ctx.arm(DIAL_TIMEOUT, plan.dial_timeout_seconds + DIAL_GRACE_SECONDS)


def _on_answered(ctx: Ctx, event: CalleeAnswered) -> None:
    if ctx.state.phase is not Phase.DIALING:
        ctx.ignore(event)
        return
    plan = _plan(ctx)
    ctx.update(phase=Phase.BRIDGED, status=CallStatus.ANSWERED, answered_at=ctx.now)
    ctx.note("callee_answered", mode=plan.mode.value)
    command = _connection(ctx, plan.connect) if plan.connect is not None else None
    if plan.mode is not OutboundMode.ANSWER_ONLY and plan.connect and command is not None:
        ctx.emit(command)
        target = plan.connect.sip_uri or plan.connect.stream_url
        ctx.note("connecting", kind=plan.mode.value, target=target)
    ctx.arm(MAX_DURATION, ctx.snapshot.max_call_seconds)


def _on_unreached(ctx: Ctx, event: CalleeUnreached) -> None:
    if ctx.state.phase is not Phase.DIALING:
        ctx.ignore(event)
        return
    ctx.note("callee_unreached", outcome=event.outcome.value)
    if event.outcome is LegStatus.BUSY:
        ctx.end(CallStatus.MISSED, BUSY, hangup=False)
    elif event.outcome is LegStatus.NO_ANSWER:
        ctx.end(CallStatus.MISSED, NO_ANSWER, hangup=False)
    else:
        ctx.end(CallStatus.FAILED, NOT_CONNECTED, hangup=False)


def on_dial_timeout(ctx: Ctx) -> None:
    """Nothing was heard of the dial: stop it."""
    ctx.end(CallStatus.MISSED, NO_ANSWER, hangup=True)


def _on_hung_up(ctx: Ctx, event: CallerHungUp) -> None:
    phase = ctx.state.phase
    ctx.note("callee_hung_up", phase=phase.value)
    if phase is Phase.BRIDGED:
        ctx.end(CallStatus.COMPLETED, CALLEE_HUNG_UP, hangup=False)
    elif phase is Phase.DIALING:
        ctx.end(CallStatus.MISSED, NO_ANSWER, hangup=False)
    else:
        ctx.ignore(event)


def _on_connection_answered(ctx: Ctx, event: ConnectionAnswered) -> None:
    if ctx.state.phase is not Phase.BRIDGED or ctx.state.action is None:
        ctx.ignore(event)
        return
    ctx.note("connection_answered", kind=ctx.state.action.kind.value)


def _on_bridge_ended(ctx: Ctx, event: BridgeEnded) -> None:
    action = ctx.state.action
    if ctx.state.phase is not Phase.BRIDGED or action is None:
        ctx.ignore(event)
        return
    ctx.note("bridge_ended", outcome=event.outcome.value)
    if event.outcome is LegStatus.COMPLETED:
        ended_by = "the bot ended the call" if action.kind is ActionKind.BOT else "connection ended"
        ctx.end(CallStatus.COMPLETED, ended_by, hangup=True)
        return
    outcome = event.outcome.value.replace("_", " ")
    ctx.end(
        CallStatus.FAILED,
        f"the {action.kind.value} connection did not answer ({outcome})",
        hangup=True,
    )
