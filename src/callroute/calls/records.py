"""Writing what a step did into the call's records: the call row, legs, timeline, alert,
recordings.

New rows are gathered during the step and written at its end with one INSERT per table, on
the connection (Core): a step adds several timeline entries and often several legs, and the
ORM's unit of work costs more than the step itself. Rows that already exist (legs changing
status, the alert being acknowledged) are ORM objects and are updated as such.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.callflow import model as m
from callroute.ids import new_id
from callroute.models import Alert, Call, CallEvent, CallLeg, Recording

_ACTIVE = {m.LegStatus.DIALING, m.LegStatus.RINGING, m.LegStatus.ANSWERED, m.LegStatus.ACCEPTED}
_CALLS: Table = Call.__table__  # type: ignore[assignment]
_EVENTS: Table = CallEvent.__table__  # type: ignore[assignment]
_LEGS: Table = CallLeg.__table__  # type: ignore[assignment]
_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
# Statements built once and reused (see calls/repository.py for why).
_INSERT_CALL, _INSERT_EVENTS, _INSERT_LEGS, _INSERT_ALERT = (
    insert(table) for table in (_CALLS, _EVENTS, _LEGS, _ALERTS)
)


class CallRecords:
    """The records of one step of one call. ``new``: the call itself is created by this
    step, and its row is written (complete, once) by :meth:`write`."""

    def __init__(self, session: AsyncSession, call: Call, *, new: bool = False) -> None:
        self.session = session
        self.call = call
        self.new = new
        self._events: list[dict[str, Any]] = []
        self._legs: list[dict[str, Any]] = []
        self._alerts: list[Alert] = []

    async def append(self, at: datetime, entries: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Add timeline entries after the last one. The counter lives on the call row, which
        the step holds locked; the (call, sequence) key would refuse a racing duplicate."""
        for kind, detail in entries:
            self.call.event_count = (self.call.event_count or 0) + 1
            self._events.append(
                {
                    "id": new_id(),
                    "project_id": self.call.project_id,
                    "call_id": self.call.id,
                    "sequence": self.call.event_count,
                    "at": at,
                    "kind": kind,
                    "detail": detail,
                }
            )

    async def sync_legs(self, legs: Iterable[m.Leg], now: datetime) -> None:
        existing: dict[str, CallLeg] = {}
        if not self.new:
            existing = {
                leg.leg_key: leg
                for leg in await self.session.scalars(
                    select(CallLeg).where(CallLeg.call_id == self.call.id)
                )
            }
        for leg in legs:
            row = existing.get(leg.leg_id)
            if row is None:
                self._legs.append(self._new_leg(leg, now))
            elif row.status != leg.status.value:
                row.status = leg.status.value
                if leg.status in (m.LegStatus.ANSWERED, m.LegStatus.ACCEPTED):
                    row.answered_at = row.answered_at or now
                if leg.status not in _ACTIVE and row.ended_at is None:
                    row.ended_at = now

    def _new_leg(self, leg: m.Leg, now: datetime) -> dict[str, Any]:
        answered = leg.status in (m.LegStatus.ANSWERED, m.LegStatus.ACCEPTED)
        return {
            "id": new_id(),
            "project_id": self.call.project_id,
            "call_id": self.call.id,
            "leg_key": leg.leg_id,
            "member_id": _uuid(leg.member_id),
            "member_name": leg.member_name,
            "number": leg.number,
            "level": leg.level,
            "round": leg.round,
            "status": leg.status.value,
            "provider_leg_id": None,
            "started_at": now,
            "answered_at": now if answered else None,
            "ended_at": None if leg.status in _ACTIVE else now,
            "price": None,
            "price_unit": None,
        }

    def add_alert(self, alert: Alert) -> None:
        """A new alert (not in the session): written with the step's other new rows."""
        self._alerts.append(alert)

    async def write(self) -> None:
        """Write the step's new rows: the new call first, as everything references it."""
        connection = await self.session.connection()
        if self.new:
            await connection.execute(_INSERT_CALL, [_values(self.call, _CALLS)])
            self.new = False
        if self._events:
            await connection.execute(_INSERT_EVENTS, self._events)
        if self._legs:
            await connection.execute(_INSERT_LEGS, self._legs)
        for alert in self._alerts:
            await connection.execute(_INSERT_ALERT, [_values(alert, _ALERTS)])
        self._events, self._legs, self._alerts = [], [], []

    async def finish_legs(self, now: datetime) -> None:
        """When the call ends, an accepted leg ends with it. Call after :meth:`write`."""
        for row in await self.session.scalars(
            select(CallLeg).where(CallLeg.call_id == self.call.id, CallLeg.ended_at.is_(None))
        ):
            row.ended_at = now
            if row.status == m.LegStatus.ACCEPTED.value:
                row.status = m.LegStatus.COMPLETED.value

    async def provider_facts(
        self, leg_refs: dict[str, str], prices: dict[str | None, tuple[str, str]]
    ) -> None:
        """What the provider told about the legs: its ids for them (``leg_refs``) and what it
        charged (``prices``; the key None is the call's own leg)."""
        if None in prices:
            self.call.price, self.call.price_unit = prices[None]
        keys = set(leg_refs) | {key for key in prices if key is not None}
        if not keys:
            return
        for row in await self.session.scalars(
            select(CallLeg).where(CallLeg.call_id == self.call.id, CallLeg.leg_key.in_(keys))
        ):
            if row.leg_key in leg_refs:
                row.provider_leg_id = leg_refs[row.leg_key]
            if row.leg_key in prices:
                row.price, row.price_unit = prices[row.leg_key]

    async def add_recording(self, url: str, duration: int, now: datetime) -> None:
        self.session.add(
            Recording(
                project_id=self.call.project_id,
                call_id=self.call.id,
                kind="voicemail",
                url=url,
                duration_seconds=duration,
                created_at=now,
            )
        )

    async def add_transcript(self, text: str) -> None:
        recording = await self.session.scalar(
            select(Recording)
            .where(Recording.call_id == self.call.id)
            .order_by(Recording.created_at.desc())
            .limit(1)
        )
        if recording is not None:
            recording.transcript = text


def _values(obj: Any, table: Table) -> dict[str, Any]:
    """The column values of an object built but never added to the session. As in an ORM
    insert, a column it never set takes the column's default; the object gets that value
    too, so that it reads back as the row was written."""
    state = obj.__dict__
    row = {}
    for column in table.columns:
        if column.key in state:
            row[column.key] = state[column.key]
        elif column.default is not None and (
            column.default.is_scalar or column.default.is_callable
        ):
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
            setattr(obj, column.key, value)
            row[column.key] = value
    return row


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None
