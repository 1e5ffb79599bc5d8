"""Carrying out a router action: a message, voicemail, a connection, or ringing people.

Forward, SIP and bot actions are *connections*: the provider dials or streams on its own and
reports back with ``ConnectionAnswered`` and ``BridgeEnded``.
"""

from __future__ import annotations

from collections.abc import Callable

from callroute.engine.callflow import ringing
from callroute.engine.callflow.fallback import NOBODY_ANSWERED, fall_back, start_voicemail
from callroute.engine.callflow.model import (
    Action,
    ActionKind,
    BridgeEnded,
    CallState,
    CallStatus,
    Command,
    ConnectionAnswered,
    ConnectStream,
    DialSip,
    Forward,
    LegStatus,
    Phase,
    RecordingReady,
    Say,
    Snapshot,
    TranscriptReady,
)
from callroute.engine.callflow.step_context import MAX_DURATION, Ctx

FORWARD_TIMEOUT_SECONDS = 30
NO_RECORDING = "no recording arrived"
VOICEMAIL_LEFT = "voicemail left"


def run_action(ctx: Ctx, action: Action) -> None:
    ctx.update(action=action)
    ctx.note("action", kind=action.kind.value, label=action.label or None)
    _ACTIONS[action.kind](ctx, action)


def _play_message(ctx: Ctx, action: Action) -> None:
    if action.message is not None:
        ctx.emit(Say(action.message))
    ctx.end(CallStatus.COMPLETED, "message played", hangup=True)


def _connection(snapshot: Snapshot, action: Action) -> Command | None:
    caller_id = ringing.caller_id(snapshot)
    if action.kind is ActionKind.FORWARD and action.number:
        return Forward(action.number, caller_id, FORWARD_TIMEOUT_SECONDS)
    if action.kind is ActionKind.SIP and action.sip_uri:
        return DialSip(action.sip_uri, caller_id, FORWARD_TIMEOUT_SECONDS)
    if action.kind is ActionKind.BOT and action.stream_url:
        return ConnectStream(action.stream_url, action.stream_parameters)
    return None


def _connect(ctx: Ctx, action: Action) -> None:
    command = _connection(ctx.snapshot, action)
    if command is None:
        ctx.emit(Say(ctx.snapshot.no_answer_message))
        ctx.end(CallStatus.FAILED, f"{action.kind.value} action has no target", hangup=True)
        return
    ctx.update(phase=Phase.BRIDGED, status=CallStatus.RINGING_RESPONDERS)
    ctx.emit(command)
    ctx.arm(MAX_DURATION, ctx.snapshot.max_call_seconds)
    target = action.number or action.sip_uri or action.stream_url
    ctx.note("connecting", kind=action.kind.value, target=target)


_ACTIONS: dict[ActionKind, Callable[[Ctx, Action], None]] = {
    ActionKind.MESSAGE: _play_message,
    ActionKind.VOICEMAIL: lambda ctx, _action: start_voicemail(ctx),
    ActionKind.FORWARD: _connect,
    ActionKind.SIP: _connect,
    ActionKind.BOT: _connect,
    ActionKind.RING: ringing.start_ringing,
}


def _connection_pending(state: CallState) -> bool:
    return state.phase is Phase.BRIDGED and state.answered_leg is None


def on_connection_answered(ctx: Ctx, event: ConnectionAnswered) -> None:
    if not _connection_pending(ctx.state) or ctx.state.answered_at is not None:
        ctx.ignore(event)
        return
    ctx.update(status=CallStatus.ANSWERED, answered_at=ctx.now)
    ctx.note("connection_answered")


def on_bridge_ended(ctx: Ctx, event: BridgeEnded) -> None:
    state = ctx.state
    if state.phase is not Phase.BRIDGED:
        ctx.ignore(event)
        return
    ctx.note("bridge_ended", outcome=event.outcome.value)
    is_bot = state.action is not None and state.action.kind is ActionKind.BOT
    bot_done = is_bot and event.outcome is LegStatus.COMPLETED
    if state.answered_leg is not None:
        ctx.set_leg(state.answered_leg, LegStatus.COMPLETED)
        ctx.end(CallStatus.COMPLETED, "responder hung up", hangup=True)
    elif state.answered_at is not None or bot_done:
        # Once someone talked to the caller, voicemail would be wrong whatever the outcome.
        ctx.end(CallStatus.COMPLETED, "connection ended", hangup=True)
    else:
        fall_back(ctx, NOBODY_ANSWERED)


# --- voicemail --------------------------------------------------------------------------------


def on_recording(ctx: Ctx, event: RecordingReady) -> None:
    if ctx.state.phase is not Phase.VOICEMAIL:
        ctx.ignore(event)
        return
    if event.duration_seconds <= 0:
        ctx.note("recording_empty", url=event.url)
        ctx.end(CallStatus.MISSED, "caller left no message", hangup=True)
        return
    ctx.update(recording_url=event.url)
    ctx.note("recording_ready", url=event.url, duration_seconds=event.duration_seconds)
    ctx.attach(recording_url=event.url)
    ctx.end(CallStatus.VOICEMAIL, VOICEMAIL_LEFT, hangup=True)


def on_transcript(ctx: Ctx, event: TranscriptReady) -> None:
    ctx.note("transcript_ready", text=event.text)
    ctx.attach(transcript=event.text)
