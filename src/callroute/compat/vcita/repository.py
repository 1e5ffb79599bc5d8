"""Queries for the voice-calls list, on the core ``calls`` table: vcita's filters, its
multi-field sort and page numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from callroute.calls.schemas import ANSWERED_STATUSES, HANDLEABLE_STATUSES
from callroute.compat.vcita.parsing import Filter, ListParams
from callroute.compat.vcita.schemas import Direction
from callroute.compat.vcita.schemas import VoiceCallStatus as V
from callroute.compat.vcita.translate import RINGING_STATUSES
from callroute.db.repository import ScopedRepository
from callroute.engine.callflow.model import CallStatus
from callroute.models import Call, Recording


def _values(statuses: Any) -> list[str]:
    return sorted(status.value for status in statuses)


_HANDLED = and_(Call.handled_at.is_not(None), Call.status.in_(_values(HANDLEABLE_STATUSES)))
_NOT_HANDLED = Call.handled_at.is_(None)
_ANSWERED = Call.status.in_(_values(ANSWERED_STATUSES))

# translate.status_of, as SQL: the tests check that both agree on every kind of call.
STATUS_CONDITIONS: dict[V, ColumnElement[bool]] = {
    V.INCOMING_CALL: Call.status.in_(_values(RINGING_STATUSES)),
    V.ANSWERED_BY_STAFF: and_(_ANSWERED, Call.answered_by_id.is_not(None)),
    V.ANSWERED_BY_CALLS_PROVIDER: or_(
        and_(_ANSWERED, Call.answered_by_id.is_(None)),
        Call.status == CallStatus.REJECTED.value,
    ),
    V.MISSED: and_(
        Call.status.in_([CallStatus.MISSED.value, CallStatus.FAILED.value]), _NOT_HANDLED
    ),
    V.VOICEMAIL: and_(Call.status == CallStatus.VOICEMAIL.value, _NOT_HANDLED),
    V.VOICEMAIL_RECEIVED: and_(Call.status == CallStatus.VOICEMAIL.value, _NOT_HANDLED),
    V.MISSED_CALL_HANDLED: _HANDLED,
}

_COLUMNS = {"created_at": Call.started_at, "updated_at": Call.updated_at}
_COMPARE = {
    "eq": lambda column, value: column == value,
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
}


def _ids(values: list[uuid.UUID | None]) -> list[uuid.UUID]:
    return [value for value in values if value is not None]


def _condition(item: Filter) -> ColumnElement[bool]:
    if item.field in _COLUMNS:
        result: ColumnElement[bool] = _COMPARE[item.op](_COLUMNS[item.field], item.value)
        return result
    if item.field == "status":
        statuses: list[V] = item.value
        return or_(*(STATUS_CONDITIONS[status] for status in statuses))
    if item.field == "direction":
        directions: list[Direction] = item.value
        return Call.direction.in_([d.value.lower() for d in directions])
    if item.field == "staff_uid":
        staff: ColumnElement[uuid.UUID] = func.coalesce(Call.member_id, Call.answered_by_id)
        return staff.in_(_ids(item.value))
    if item.field == "client_uid":
        return Call.contact_id.in_(_ids(item.value))
    if item.field == "handled_by_staff_uid":
        return Call.handled_by_id.in_(_ids(item.value))
    text: str = item.value
    if item.field == "from_number":
        return Call.from_number == text
    if item.field == "to_number":
        return Call.to_number == text
    if item.field == "external_uuid":
        return Call.provider_call_id == text
    return false()  # parsing admits no other field


class VoiceCallRepository(ScopedRepository[Call]):
    model = Call

    async def page(self, params: ListParams) -> list[Call]:
        stmt = self.scoped()
        for item in params.filters:
            stmt = stmt.where(_condition(item))
        order: list[Any] = [
            _COLUMNS[name].desc() if descending else _COLUMNS[name].asc()
            for name, descending in params.sort
        ]
        # Ids are time-ordered: a stable last key, so equal times never swap between pages.
        order.append(Call.id.desc() if params.sort[-1][1] else Call.id.asc())
        rows = await self.session.scalars(
            stmt.order_by(*order).offset((params.page - 1) * params.per_page).limit(params.per_page)
        )
        return list(rows.all())

    async def count_by_status(
        self, statuses: Sequence[V], start: datetime | None, end: datetime | None
    ) -> dict[V, int]:
        """Calls created in [start, end) with each status: one count per status."""
        counts: dict[V, int] = {}
        for status in statuses:
            stmt = select(func.count()).where(
                Call.project_id == self.project_id, STATUS_CONDITIONS[status]
            )
            if start is not None:
                stmt = stmt.where(Call.started_at >= start)
            if end is not None:
                stmt = stmt.where(Call.started_at < end)
            counts[status] = await self.session.scalar(stmt) or 0
        return counts

    async def recordings(self, call_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Recording]]:
        """Each call's recordings, oldest first, in one query for the whole page."""
        found: dict[uuid.UUID, list[Recording]] = {call_id: [] for call_id in call_ids}
        if not call_ids:
            return found
        rows = await self.session.scalars(
            select(Recording)
            .where(Recording.project_id == self.project_id, Recording.call_id.in_(call_ids))
            .order_by(Recording.created_at, Recording.id)
        )
        for recording in rows:
            found[recording.call_id].append(recording)
        return found
