"""Writing calls through the API: logging a call another phone system handled, and the
follow-up of any call (who it was with, a summary, who called back after it was missed).

The engine owns a routed call's record (status, numbers, times, legs): only the follow-up
fields change here, under the call's row lock, and never its ``state``. A logged call has no
engine behind it, so its whole record is written here.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.records import CallRecords
from callroute.calls.repository import CallRepository, lock_call
from callroute.calls.schemas import (
    ACTIVE_STATUSES,
    ANSWERED_STATUSES,
    HANDLEABLE_STATUSES,
    CallLogCreate,
    CallUpdate,
)
from callroute.clock import Clock
from callroute.contacts.repository import ContactRepository
from callroute.engine.callflow.model import CallStatus
from callroute.errors import Conflict, ValidationFailed
from callroute.members.repository import MemberRepository
from callroute.models import Call
from callroute.models.call import CallOrigin
from callroute.validation import found, reject_nulls, require_existing

_WIRE_NAMES = {"from_number": "from", "to_number": "to"}


class CallService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.project_id = project_id
        self.clock = clock
        self.calls = CallRepository(session, project_id)

    async def log(self, data: CallLogCreate) -> Call:
        now = self.clock.now()
        await self._check_references(data, data.model_fields_set)
        started_at = data.started_at or now
        if started_at > now:
            raise ValidationFailed("started_at: cannot be in the future", field="started_at")
        call = Call(
            project_id=self.project_id,
            origin=CallOrigin.LOGGED.value,
            direction=data.direction.value,
            from_number=data.from_number,
            to_number=data.to_number,
            router_id=None,
            connection_id=None,
            provider=data.provider,
            provider_call_id=data.provider_call_id,
            status=data.status.value,
            started_at=started_at,
            snapshot={},
            state={},
            generation=0,
            event_count=0,
            provider_data={},
            updated_at=now,
        )
        self._apply_follow_up(call, data, data.model_fields_set)
        call.answered_by_id = data.answered_by
        self._set_duration(call, data.duration_seconds)
        self._set_handled(call, data.handled, data.handled_by, now)
        self._check_record(call)
        await self._check_unique_provider_id(call)
        self.calls.add(call)
        await self.session.flush()
        records = CallRecords(self.session, call)
        await records.append(now, [("call_logged", {})])
        await records.write()
        return call

    async def update(self, ref: str, data: CallUpdate) -> Call:
        reject_nulls(data, CallUpdate.NULLABLE)
        call = await found(self.calls, ref, "call")
        # The engine may be stepping this call right now; its step holds the same lock.
        locked = await lock_call(self.session, call.id)
        assert locked is not None
        call = locked
        sent = data.model_fields_set
        if call.origin == CallOrigin.ROUTED.value:
            for name in sorted(sent & CallUpdate.RECORD_FIELDS):
                field = _WIRE_NAMES.get(name, name)
                raise ValidationFailed(
                    f"{field}: callroute routed this call, so its {field} is the routing's "
                    "record and cannot be changed; only follow-up fields can",
                    field=field,
                )
        await self._check_references(data, sent)
        now = self.clock.now()
        before = _follow_up_view(call)
        if call.origin == CallOrigin.LOGGED.value:
            self._apply_record(call, data, sent)
        self._apply_follow_up(call, data, sent)
        handled = data.handled if "handled" in sent else call.handled_at is not None
        if handled is None:
            raise ValidationFailed("handled: cannot be null", field="handled")
        # Clearing ``handled`` clears who handled it, unless a handler is sent with it.
        kept_handler = call.handled_by_id if handled else None
        handled_by = data.handled_by if "handled_by" in sent else kept_handler
        self._set_handled(call, handled, handled_by, now)
        self._check_record(call)
        if call.origin == CallOrigin.LOGGED.value:
            await self._check_unique_provider_id(call)
        changes = _changes(before, _follow_up_view(call))
        if changes:
            call.updated_at = now
            records = CallRecords(self.session, call)
            await records.append(now, [("call_updated", changes)])
            await records.write()
        await self.session.flush()
        return call

    # -- rules ------------------------------------------------------------------------------

    def _apply_record(self, call: Call, data: CallUpdate, sent: set[str]) -> None:
        if data.direction is not None:
            call.direction = data.direction.value
        if data.from_number is not None:
            call.from_number = data.from_number
        if data.to_number is not None:
            call.to_number = data.to_number
        if data.status is not None:
            call.status = data.status.value
        if data.provider is not None:
            call.provider = data.provider
        if data.provider_call_id is not None:
            call.provider_call_id = data.provider_call_id
        if "answered_by" in sent:
            call.answered_by_id = data.answered_by
        duration = call.duration_seconds
        if data.started_at is not None:
            if data.started_at > self.clock.now():
                raise ValidationFailed("started_at: cannot be in the future", field="started_at")
            call.started_at = data.started_at
        if "duration_seconds" in sent:
            duration = data.duration_seconds
        # A logged call's end is its start plus the duration it reported.
        self._set_duration(call, duration)

    @staticmethod
    def _apply_follow_up(call: Call, data: CallLogCreate | CallUpdate, sent: set[str]) -> None:
        for name in ("member_id", "contact_id", "summary", "price", "price_unit", "rate"):
            if name in sent:
                setattr(call, name, getattr(data, name))
        if "external" in sent:
            refs = data.external.model_dump(exclude_none=True) if data.external else {}
            call.external = refs or None

    @staticmethod
    def _set_duration(call: Call, duration: int | None) -> None:
        if duration is not None and CallStatus(call.status) in ACTIVE_STATUSES:
            raise ValidationFailed(
                f"duration_seconds: a call that is still {call.status} has no duration yet",
                field="duration_seconds",
            )
        call.ended_at = None if duration is None else call.started_at + timedelta(seconds=duration)

    @staticmethod
    def _set_handled(
        call: Call, handled: bool, handled_by: uuid.UUID | None, now: datetime
    ) -> None:
        if not handled:
            if handled_by is not None:
                raise ValidationFailed(
                    "handled_by: only a handled call has a member who handled it; "
                    "send handled: true",
                    field="handled_by",
                )
            call.handled_at, call.handled_by_id = None, None
            return
        if CallStatus(call.status) not in HANDLEABLE_STATUSES:
            raise ValidationFailed(
                f"handled: only a missed, voicemail or failed call can be handled; "
                f"this call is {call.status}",
                field="handled",
            )
        # The time is when it was marked handled, or when the member who handled it changed.
        if call.handled_at is None or call.handled_by_id != handled_by:
            call.handled_at = now
        call.handled_by_id = handled_by

    @staticmethod
    def _check_record(call: Call) -> None:
        if call.answered_by_id is not None and CallStatus(call.status) not in ANSWERED_STATUSES:
            raise ValidationFailed(
                f"answered_by: only an answered or completed call has a member who answered "
                f"it; this call is {call.status}",
                field="answered_by",
            )

    async def _check_references(self, data: CallLogCreate | CallUpdate, sent: set[str]) -> None:
        members = [
            (name, value)
            for name in ("member_id", "answered_by", "handled_by")
            if name in sent and (value := getattr(data, name)) is not None
        ]
        await require_existing(MemberRepository(self.session, self.project_id), members, "member")
        if "contact_id" in sent and data.contact_id is not None:
            await require_existing(
                ContactRepository(self.session, self.project_id),
                [("contact_id", data.contact_id)],
                "contact",
            )

    async def _check_unique_provider_id(self, call: Call) -> None:
        if not call.provider_call_id:
            return
        # Against the stored calls: flushing this call's changes first would trip the unique
        # index before the check could name the field.
        with self.session.no_autoflush:
            other = await self.calls.logged_by_provider_id(call.provider, call.provider_call_id)
        if other is not None and other.id != call.id:
            raise Conflict(
                f"provider_call_id: call {other.id} already has the {call.provider} id "
                f"{call.provider_call_id!r}",
                field="provider_call_id",
            )


_VIEW = (
    "direction",
    "from_number",
    "to_number",
    "status",
    "started_at",
    "ended_at",
    "answered_by_id",
    "provider",
    "provider_call_id",
    "member_id",
    "contact_id",
    "summary",
    "price",
    "price_unit",
    "rate",
    "external",
    "handled_by_id",
    "handled_at",
)


def _follow_up_view(call: Call) -> dict[str, Any]:
    return {name: getattr(call, name) for name in _VIEW}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed, JSON-ready, for the call's timeline."""
    return {name: _json(after[name]) for name in _VIEW if before[name] != after[name]}


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
