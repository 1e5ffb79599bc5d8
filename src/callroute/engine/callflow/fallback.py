"""Where a call goes when nobody takes it: voicemail, or the no-answer message."""

from __future__ import annotations

from callroute.engine.callflow.model import CallStatus, Fallback, Phase, Record, Say
from callroute.engine.callflow.step_context import RECORDING_TIMEOUT, Ctx

NOBODY_ANSWERED = "nobody answered"
NOBODY_AVAILABLE = "nobody available"

# Recordings are posted after the caller stops talking; allow for upload and processing.
RECORDING_GRACE_SECONDS = 30
# Once the caller hung up, the provider still posts what was recorded so far.
RECORDING_AFTER_HANGUP_SECONDS = 60


def fall_back(ctx: Ctx, reason: str) -> None:
    ctx.release_legs()
    ctx.note("fallback", to=ctx.snapshot.fallback.value, reason=reason)
    if ctx.snapshot.fallback is Fallback.VOICEMAIL:
        start_voicemail(ctx)
        return
    ctx.emit(Say(ctx.snapshot.no_answer_message))
    ctx.end(CallStatus.MISSED, reason, hangup=True)


def start_voicemail(ctx: Ctx) -> None:
    settings = ctx.snapshot.voicemail
    ctx.raise_alert()
    # No status names "recording"; RINGING reads as "in progress, nobody has answered".
    ctx.update(phase=Phase.VOICEMAIL, status=CallStatus.RINGING)
    ctx.emit(
        Record(
            greeting=settings.greeting,
            max_length_seconds=settings.max_length_seconds,
            finish_on_key=settings.finish_on_key,
            transcribe=settings.transcribe,
        )
    )
    ctx.arm(RECORDING_TIMEOUT, settings.max_length_seconds + RECORDING_GRACE_SECONDS)
    ctx.note("voicemail_started")
