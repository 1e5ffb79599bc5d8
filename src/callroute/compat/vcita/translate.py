"""The two-way mapping between a core call and a vcita VoiceCall.

Statuses, read from the core (the same rules decide the ``filter[status]`` conditions in
``repository.py``):

| core call                                              | vcita status                 |
|--------------------------------------------------------|------------------------------|
| ringing, in_menu, ringing_responders                   | INCOMING_CALL                |
| answered / completed, answered by a member             | ANSWERED_BY_STAFF            |
| answered / completed by no member (forward, SIP trunk, | ANSWERED_BY_CALLS_PROVIDER   |
| bot, a message played), or rejected by screening       |                              |
| missed, failed                                         | MISSED                       |
| voicemail                                              | VOICEMAIL                    |
| missed, voicemail or failed, then handled              | MISSED_CALL_HANDLED          |
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from callroute.calls.schemas import ACTIVE_STATUSES, ANSWERED_STATUSES, HANDLEABLE_STATUSES
from callroute.compat.vcita.schemas import (
    Direction,
    RecordingOut,
    RecordingType,
    TranscriptEntry,
    TranscriptOut,
    TranscriptStatus,
    VoiceCallOut,
)
from callroute.compat.vcita.schemas import VoiceCallStatus as V
from callroute.engine.callflow import codec
from callroute.engine.callflow.model import CallStatus
from callroute.models import Call, Recording
from callroute.models.call import CallOrigin

RINGING_STATUSES = frozenset(ACTIVE_STATUSES - {CallStatus.ANSWERED})


def base_status(call: Call) -> V:
    """What happened to the call, leaving out whether it was handled afterwards."""
    status = CallStatus(call.status)
    if status in RINGING_STATUSES:
        return V.INCOMING_CALL
    if status in ANSWERED_STATUSES:
        return V.ANSWERED_BY_STAFF if call.answered_by_id else V.ANSWERED_BY_CALLS_PROVIDER
    if status is CallStatus.VOICEMAIL:
        return V.VOICEMAIL
    if status is CallStatus.REJECTED:
        return V.ANSWERED_BY_CALLS_PROVIDER
    return V.MISSED  # missed, failed: the caller reached nobody


def status_of(call: Call) -> V:
    if call.handled_at is not None and CallStatus(call.status) in HANDLEABLE_STATUSES:
        return V.MISSED_CALL_HANDLED
    return base_status(call)


def core_status(status: V, *, ended: bool, current: CallStatus | None = None) -> CallStatus:
    """The core status a logged call gets for a vcita status. An answered call is over once
    it has a duration; a handled call keeps what it was (missed, voicemail, failed)."""
    status = status.canonical
    if status is V.INCOMING_CALL:
        return CallStatus.RINGING
    if status in (V.ANSWERED_BY_STAFF, V.ANSWERED_BY_CALLS_PROVIDER):
        return CallStatus.COMPLETED if ended else CallStatus.ANSWERED
    if status is V.VOICEMAIL:
        return CallStatus.VOICEMAIL
    if status is V.MISSED_CALL_HANDLED and current is not None and current in HANDLEABLE_STATUSES:
        return current
    return CallStatus.MISSED


def timestamp(moment: datetime | None) -> str | None:
    """vcita's form: 2021-07-20T14:00:00.000Z."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _uid(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _recording(call: Call, recordings: Sequence[Recording]) -> RecordingOut | None:
    if recordings:
        latest = recordings[-1]
        return RecordingOut(
            uid=str(latest.id),
            recordingUrl=latest.url,
            size=None,
            duration=latest.duration_seconds,
            recording_played=False,
            recording_type=(
                RecordingType.VOICEMAIL if latest.kind == "voicemail" else RecordingType.CALL
            ),
        )
    external_id = (call.external or {}).get("recording_id")
    if external_id:
        return RecordingOut(
            uid=external_id,
            recordingUrl=None,
            size=None,
            duration=None,
            recording_played=False,
            recording_type=None,
        )
    return None


def _transcribed(call: Call) -> bool:
    """Whether the router asked for a transcript of the voicemail this call left."""
    if not call.snapshot:
        return False
    return codec.snapshot_from_dict(call.snapshot).voicemail.transcribe


def transcript(call: Call, recordings: Sequence[Recording]) -> TranscriptOut | None:
    if not recordings:
        return None
    latest = recordings[-1]
    if latest.transcript is not None:
        role = "client" if latest.kind == "voicemail" else "unknown"
        entry = TranscriptEntry(timestamp=0.0, speaker_role=role, text=latest.transcript)
        return TranscriptOut(
            transcript_uid=str(latest.id), status=TranscriptStatus.DONE, transcript=[entry]
        )
    if _transcribed(call):
        return TranscriptOut(
            transcript_uid=str(latest.id), status=TranscriptStatus.IN_PROGRESS, transcript=None
        )
    return None


def staff_of(call: Call) -> uuid.UUID | None:
    """The staff member a call is associated with: the one it was logged or assigned to,
    else the one who answered it."""
    return call.member_id or call.answered_by_id


def voice_call(call: Call, recordings: Sequence[Recording]) -> VoiceCallOut:
    external = call.external or {}
    text = transcript(call, recordings)
    return VoiceCallOut(
        uid=str(call.id),
        business_uid=str(call.project_id),
        staff_uid=_uid(staff_of(call)),
        client_uid=_uid(call.contact_id),
        from_number=call.from_number,
        to_number=call.to_number,
        direction=Direction(call.direction.upper()),
        status=status_of(call),
        duration=call.duration_seconds,
        call_summary=call.summary,
        recording=_recording(call, recordings),
        external_app_url=external.get("app_url"),
        external_app_name=external.get("app_name"),
        source_id=external.get("source_id"),
        external_uuid=call.provider_call_id or None,
        handled_by_staff_uid=_uid(call.handled_by_id),
        handled_at=timestamp(call.handled_at),
        transcript_status=text.status if text else None,
        created_at=timestamp(call.started_at) or "",
        updated_at=timestamp(call.updated_at) or "",
        deleted_at=None,
        rate=call.rate,
        price=call.price,
        provider=call.provider.upper(),
    )


def is_routed(call: Call) -> bool:
    return call.origin == CallOrigin.ROUTED.value
