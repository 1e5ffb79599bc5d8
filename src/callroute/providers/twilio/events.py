"""Twilio's webhook parameters as engine events, each with the id that makes it happen once.

Pure functions: a webhook's parameters in, ``(event id, event)`` pairs out. The ids are built
from what identifies the occurrence, not the request, so Twilio's retries, duplicated status
callbacks and out-of-order ones map onto the same ids (the inbox keeps the first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from callroute.engine.callflow import model as m

Params = Mapping[str, str]
Keyed = list[tuple[str, m.Event]]

# A call (or leg) status that means it is over, and what that was for a responder's leg.
_ENDED = {
    "completed": m.LegStatus.COMPLETED,
    "busy": m.LegStatus.BUSY,
    "failed": m.LegStatus.FAILED,
    "no-answer": m.LegStatus.NO_ANSWER,
    "canceled": m.LegStatus.CANCELED,
}


def caller_status(params: Params) -> Keyed:
    """The caller's own call: once over, the caller has hung up (or was hung up on)."""
    status = params.get("CallStatus", "")
    if status in _ENDED:
        return [(f"status:{params.get('CallSid', '')}:ended", m.CallerHungUp())]
    return []


def gathered(params: Params, call: str, doc: int) -> Keyed:
    return [(f"gather:{call}:{doc}", m.Digits(params.get("Digits", "")))]


def dial_ended(
    params: Params, call: str, doc: int, legs: Sequence[str], accepted: str | None
) -> Keyed:
    """A ringing ``<Dial>`` ended: the caller left, the bridged talk ended, or every number
    it rang ended without a bridge."""
    if params.get("CallStatus") in _ENDED:
        return [(f"dial:{call}:{doc}:caller", m.CallerHungUp())]
    status = params.get("DialCallStatus", "")
    bridged = params.get("DialBridged", "").lower() == "true"
    if accepted is not None and accepted in legs and (bridged or status == "completed"):
        return [(f"dial:{call}:{doc}:{accepted}", m.LegEnded(accepted, m.LegStatus.COMPLETED))]
    # Not bridged. "completed" here means a number picked up but nobody accepted (a personal
    # voicemail answered, or the whisper was hung up on): not an answer.
    outcome = _ENDED.get(status, m.LegStatus.FAILED)
    if outcome is m.LegStatus.COMPLETED:
        outcome = m.LegStatus.NO_ANSWER
    return [(f"dial:{call}:{doc}:{leg}", m.LegEnded(leg, outcome)) for leg in legs]


def leg_status(params: Params, leg: str, accepted: str | None) -> Keyed:
    """A responder's call: ringing, answered (by a person or a machine), ended."""
    status = params.get("CallStatus", "")
    key = f"leg:{params.get('CallSid', '')}:{status}"
    if status == "ringing":
        return [(key, m.LegRinging(leg))]
    if status in ("in-progress", "answered"):
        answered_by = params.get("AnsweredBy", "")
        machine = answered_by.startswith("machine") or answered_by == "fax"
        return [(key, m.LegAnswered(leg, machine=machine))]
    if status in _ENDED:
        outcome = _ENDED[status]
        if outcome is m.LegStatus.COMPLETED and leg != accepted:
            outcome = m.LegStatus.NO_ANSWER  # it picked up, but never took the call
        return [(key, m.LegEnded(leg, outcome))]
    return []


def screened(call: str, leg: str) -> Keyed:
    """Twilio fetched the whisper: the responder's phone picked up."""
    return [(f"screen:{call}:{leg}", m.LegAnswered(leg))]


def screen_result(params: Params, call: str, leg: str) -> Keyed:
    return [(f"screen-result:{call}:{leg}", m.Digits(params.get("Digits", ""), leg))]


def recorded(params: Params, call: str, doc: int) -> Keyed:
    return [(f"record:{call}:{doc}", _recording(params))]


def recording_status(params: Params) -> Keyed:
    status = params.get("RecordingStatus", "")
    if status not in ("completed", "absent", "failed"):
        return []
    event = _recording(params) if status == "completed" else m.RecordingReady("", 0)
    return [(f"recording:{params.get('RecordingSid', '')}", event)]


def _recording(params: Params) -> m.RecordingReady:
    try:
        duration = max(0, int(params.get("RecordingDuration", "0") or 0))
    except ValueError:
        duration = 0
    return m.RecordingReady(params.get("RecordingUrl", ""), duration)


def transcribed(params: Params) -> Keyed:
    if params.get("TranscriptionStatus") != "completed":
        return []
    key = f"transcription:{params.get('TranscriptionSid', '')}"
    return [(key, m.TranscriptReady(params.get("TranscriptionText", "")))]


def queue_left(params: Params, call: str, doc: int, accepted: str | None) -> Keyed:
    """The caller's ``<Enqueue>`` ended. ``bridged``: a responder took the caller out of the
    queue and that talk has ended (the responder hung up); ``hangup``: the caller left while
    waiting; an error: Twilio could not keep the caller queued. ``redirected`` (callroute
    moved the caller) and ``leave`` say nothing new."""
    key = f"queue:{call}:{doc}"
    result = params.get("QueueResult", "")
    if params.get("CallStatus") in _ENDED or result == "hangup":
        return [(key, m.CallerHungUp())]
    if result == "bridged":
        if accepted is None:
            return [(key, m.ProviderError("Twilio bridged the caller to no accepted responder"))]
        return [(key, m.LegEnded(accepted, m.LegStatus.COMPLETED))]
    if result in ("error", "system-error", "queue-full"):
        return [(key, m.ProviderError(f"Twilio could not keep the caller queued: {result}"))]
    return []


def connection_ended(params: Params, call: str, doc: int) -> Keyed:
    """A forward, SIP dial or bot stream ended (its ``<Dial>``/``<Connect>`` action)."""
    key = f"connection:{call}:{doc}"
    if params.get("CallStatus") in _ENDED:
        return [(key, m.CallerHungUp())]
    status = params.get("DialCallStatus")
    if status is None:  # <Connect>: the bot closed the stream
        return [(key, m.BridgeEnded(m.LegStatus.COMPLETED))]
    return [(key, m.BridgeEnded(_ENDED.get(status, m.LegStatus.FAILED)))]


def connection_answered(params: Params) -> Keyed:
    key = f"connection-status:{params.get('CallSid', '')}:{params.get('CallStatus', '')}"
    if params.get("CallStatus") in ("in-progress", "answered"):
        return [(key, m.ConnectionAnswered())]
    return []


def stream_status(params: Params) -> Keyed:
    event = params.get("StreamEvent", "")
    key = f"stream:{params.get('StreamSid', '')}:{event}"
    if event == "stream-started":
        return [(key, m.ConnectionAnswered())]
    if event == "stream-error":
        return [(key, m.BridgeEnded(m.LegStatus.FAILED))]
    return []
