"""vcita voice calls, translated onto the core calls: staff are members, clients contacts,
the business the project. Writes go through the native ``CallService``, so a call created
here is a logged call of the native API, with the same rules."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.schemas import HANDLEABLE_STATUSES, CallLogCreate, CallUpdate
from callroute.calls.service import CallService
from callroute.clock import Clock
from callroute.compat.vcita import translate
from callroute.compat.vcita.errors import VcitaError, invalid, unprocessable
from callroute.compat.vcita.parsing import ListParams, StatsParams
from callroute.compat.vcita.repository import VoiceCallRepository
from callroute.compat.vcita.schemas import (
    CreateVoiceCall,
    StatusCount,
    TranscriptOut,
    UpdateVoiceCall,
    VoiceCallOut,
    VoiceCallStats,
)
from callroute.compat.vcita.schemas import VoiceCallStatus as V
from callroute.contacts.repository import ContactRepository
from callroute.engine.callflow.model import CallStatus
from callroute.errors import ApiError
from callroute.members.repository import MemberRepository
from callroute.models import Call

PROVIDER = "vonage"  # the only provider vcita names
# Every status a call can read back with, once each (VOICEMAIL_RECEIVED is VOICEMAIL).
REPORTED_STATUSES = tuple(s for s in V if s is s.canonical)
TRANSCRIPT_NOT_FOUND = "Transcript not found for the given voice call"

# Native field → vcita field, for the (rare) rule the native service enforces on its own.
_VCITA_FIELDS = {
    "from": "from_number",
    "to": "to_number",
    "member_id": "staff_uid",
    "answered_by": "staff_uid",
    "contact_id": "client_uid",
    "handled": "status",
    "handled_by": "handled_by_staff_uid",
    "provider_call_id": "external_uuid",
    "duration_seconds": "duration",
    "summary": "call_summary",
    "external.source_id": "source_id",
    "external.app_name": "external_app_name",
    "external.app_url": "external_app_url",
    "external.recording_id": "recording_id",
}


def check_business(project_id: uuid.UUID, business_uid: str, field: str) -> None:
    """A key acts for its own project only; the answer is the same whether the other
    business exists or not."""
    if business_uid != str(project_id):
        raise VcitaError(
            f"{field} must be the business of this API key ({project_id}); "
            "it cannot act for another business",
            status=403,
            code="RESOURCE_ACCESS_DENIED",
            field=field,
        )


@contextmanager
def _in_vcita_terms() -> Iterator[None]:
    try:
        yield
    except VcitaError:
        raise
    except ApiError as exc:
        field = _VCITA_FIELDS.get(exc.field or "", exc.field)
        text = exc.message
        if exc.field and text.startswith(f"{exc.field}: "):
            text = text.removeprefix(f"{exc.field}: ")
        message = f"{field} {text}" if field else text
        raise VcitaError(message, status=exc.status, code=exc.code, field=field) from exc


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _none_if_empty(value: str | None) -> str | None:
    return value or None


class VoiceCallService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.project_id = project_id
        self.calls = CallService(session, project_id, clock)
        self.repo = VoiceCallRepository(session, project_id)

    # -- reads ------------------------------------------------------------------------------

    async def list(self, params: ListParams) -> list[VoiceCallOut]:
        calls = await self.repo.page(params)
        recordings = await self.repo.recordings([call.id for call in calls])
        return [translate.voice_call(call, recordings[call.id]) for call in calls]

    async def stats(self, params: StatsParams) -> VoiceCallStats:
        """Counts per status of the calls created between the two days (both included)."""
        statuses = params.statuses or REPORTED_STATUSES
        start = _midnight(params.start_date) if params.start_date else None
        end = _midnight(params.end_date) + timedelta(days=1) if params.end_date else None
        counts = await self.repo.count_by_status(statuses, start, end)
        return VoiceCallStats(
            status_counts=[StatusCount(status=s, count=counts[s]) for s in statuses],
            total_voice_calls=sum(counts.values()),
            start_date=params.start_date.isoformat() if params.start_date else None,
            end_date=params.end_date.isoformat() if params.end_date else None,
        )

    async def get(self, uid: str) -> VoiceCallOut:
        call = await self._call(uid)
        return await self._out(call)

    async def transcript(self, uid: str) -> TranscriptOut:
        call = await self._call(uid)
        recordings = (await self.repo.recordings([call.id]))[call.id]
        text = translate.transcript(call, recordings)
        if text is None:
            raise VcitaError(TRANSCRIPT_NOT_FOUND, status=404, code="NOT_FOUND")
        return text

    # -- writes -----------------------------------------------------------------------------

    async def create(self, body: CreateVoiceCall) -> VoiceCallOut:
        check_business(self.project_id, body.business_uid, "business_uid")
        staff = await self._member("staff_uid", body.staff_uid)
        client = await self._contact("client_uid", body.client_uid)
        status = body.status.canonical
        native = CallLogCreate.model_validate(
            {
                "direction": body.direction.value.lower(),
                "from": body.from_number,
                "to": body.to_number,
                "status": translate.core_status(status, ended=False).value,
                "member_id": staff,
                "contact_id": client,
                "answered_by": staff if status is V.ANSWERED_BY_STAFF else None,
                "handled": status is V.MISSED_CALL_HANDLED,
                "provider": PROVIDER,
                "provider_call_id": body.external_uuid,
                "rate": body.rate,
                "external": {"source_id": body.source_id},
            }
        )
        with _in_vcita_terms():
            call = await self.calls.log(native)
        return await self._out(call)

    async def update(self, uid: str, body: UpdateVoiceCall) -> VoiceCallOut:
        call = await self._call(uid)
        status = body.status.canonical
        handled = status is V.MISSED_CALL_HANDLED
        if body.handled_by_staff_uid is not None and not handled:
            raise invalid(
                "handled_by_staff_uid",
                f"is only for a call whose status is MISSED_CALL_HANDLED, not {status.value}",
                "INVALID_PARAMETER",
            )
        staff = await self._member("staff_uid", body.staff_uid)
        client = await self._contact("client_uid", body.client_uid)
        handler = await self._member("handled_by_staff_uid", body.handled_by_staff_uid)
        recordings = (await self.repo.recordings([call.id]))[call.id]
        recording_id = _none_if_empty(body.recording_id)
        if recording_id in {str(r.id) for r in recordings}:
            recording_id = None  # the call's own recording, not an outside reference
        changes: dict[str, Any] = {
            "member_id": staff,
            "contact_id": client,
            "summary": _none_if_empty(body.call_summary),
            "handled": handled,
            "price": body.price,
            "rate": body.rate,
            "external": {
                "source_id": _none_if_empty(body.source_id),
                "app_name": _none_if_empty(body.external_app_name),
                "app_url": _none_if_empty(body.external_app_url),
                "recording_id": recording_id,
            },
        }
        if "handled_by_staff_uid" in body.model_fields_set:
            changes["handled_by"] = handler  # left out: whoever handled it stays
        if translate.is_routed(call):
            self._check_routed(call, body)
        else:
            changes |= await self._logged_record(call, body, staff)
        with _in_vcita_terms():
            updated = await self.calls.update(str(call.id), CallUpdate.model_validate(changes))
        return await self._out(updated)

    def _check_routed(self, call: Call, body: UpdateVoiceCall) -> None:
        """A routed call's record is what callroute saw; a PUT may repeat it, not rewrite it."""
        current = translate.voice_call(call, [])
        sent = {
            "from_number": body.from_number,
            "to_number": body.to_number,
            "direction": body.direction,
            "external_uuid": _none_if_empty(body.external_uuid),
        }
        for name, value in sent.items():
            if value != getattr(current, name):
                raise _read_only(name, getattr(current, name))
        ongoing = current.duration is None and body.duration in (None, 0)
        if body.duration != current.duration and not ongoing:
            raise _read_only("duration", current.duration)
        status, base = body.status.canonical, translate.base_status(call)
        if status is V.MISSED_CALL_HANDLED:
            if CallStatus(call.status) not in HANDLEABLE_STATUSES:
                raise unprocessable(
                    "status",
                    f"can become MISSED_CALL_HANDLED only for a call that reached nobody; "
                    f"callroute routed this call and it was {base.value}",
                    "INVALID_STATUS_CHANGE",
                )
        elif status is not base:
            raise unprocessable(
                "status",
                f"cannot change: callroute routed this call and it was {base.value} "
                "(it can only be marked MISSED_CALL_HANDLED, when it reached nobody)",
                "INVALID_STATUS_CHANGE",
            )

    async def _logged_record(
        self, call: Call, body: UpdateVoiceCall, staff: uuid.UUID | None
    ) -> dict[str, Any]:
        """A logged call's own record, as the integration that logged it now tells it."""
        status = body.status.canonical
        duration = body.duration
        if status is V.INCOMING_CALL:
            if duration:
                raise invalid(
                    "duration", "must be 0 or null while the call is ringing (INCOMING_CALL)"
                )
            duration = None
        if status is V.ANSWERED_BY_STAFF and staff is None:
            raise invalid(
                "staff_uid", "is required when the status is ANSWERED_BY_STAFF", "PARAMETER_MISSING"
            )
        external_uuid = body.external_uuid or ""
        core = translate.core_status(
            status, ended=duration is not None, current=CallStatus(call.status)
        )
        return {
            "direction": body.direction.value.lower(),
            "from": body.from_number,
            "to": body.to_number,
            "status": core.value,
            "answered_by": staff if status is V.ANSWERED_BY_STAFF else None,
            "duration_seconds": duration,
            "provider": PROVIDER,
            "provider_call_id": external_uuid,
        }

    # -- lookups ----------------------------------------------------------------------------

    async def _call(self, uid: str) -> Call:
        call = await self.repo.by_ref(uid)
        if call is None:
            raise VcitaError(
                f"Voice call {uid!r} not found in this business", status=404, code="NOT_FOUND"
            )
        return call

    async def _out(self, call: Call) -> VoiceCallOut:
        recordings = await self.repo.recordings([call.id])
        return translate.voice_call(call, recordings[call.id])

    async def _member(self, field: str, uid: str | None) -> uuid.UUID | None:
        if uid is None:
            return None
        member = await MemberRepository(self.session, self.project_id).by_ref(uid)
        if member is None:
            raise unprocessable(
                field, f"names no staff member of this business: {uid!r}", "STAFF_NOT_FOUND"
            )
        return member.id

    async def _contact(self, field: str, uid: str | None) -> uuid.UUID | None:
        if uid is None:
            return None
        contact = await ContactRepository(self.session, self.project_id).by_ref(uid)
        if contact is None:
            raise unprocessable(
                field, f"names no client of this business: {uid!r}", "CLIENT_NOT_FOUND"
            )
        return contact.id


def _read_only(field: str, current: Any) -> VcitaError:
    shown = current.value if hasattr(current, "value") else current
    return unprocessable(
        field,
        f"cannot change: callroute routed this call and recorded {shown!r}",
        "READ_ONLY_FIELD",
    )
