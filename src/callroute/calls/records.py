"""Writing what a step did into the call's records: legs, timeline, recordings."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.callflow import model as m
from callroute.models import Call, CallEvent, CallLeg, Recording

_ACTIVE = {m.LegStatus.DIALING, m.LegStatus.RINGING, m.LegStatus.ANSWERED, m.LegStatus.ACCEPTED}


class CallRecords:
    def __init__(self, session: AsyncSession, call: Call) -> None:
        self.session = session
        self.call = call

    async def append(self, at: datetime, entries: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Add timeline entries after the last one. The counter lives on the call row, which
        the step holds locked; the (call, sequence) key would refuse a racing duplicate."""
        for kind, detail in entries:
            self.call.event_count = (self.call.event_count or 0) + 1
            self.session.add(
                CallEvent(
                    project_id=self.call.project_id,
                    call_id=self.call.id,
                    sequence=self.call.event_count,
                    at=at,
                    kind=kind,
                    detail=detail,
                )
            )

    async def sync_legs(self, legs: Iterable[m.Leg], now: datetime) -> None:
        existing = {
            leg.leg_key: leg
            for leg in await self.session.scalars(
                select(CallLeg).where(CallLeg.call_id == self.call.id)
            )
        }
        for leg in legs:
            row = existing.get(leg.leg_id)
            if row is None:
                row = CallLeg(
                    project_id=self.call.project_id,
                    call_id=self.call.id,
                    leg_key=leg.leg_id,
                    member_id=_uuid(leg.member_id),
                    member_name=leg.member_name,
                    number=leg.number,
                    level=leg.level,
                    round=leg.round,
                    status=leg.status.value,
                    started_at=now,
                )
                self.session.add(row)
            if row.status == leg.status.value:
                continue
            row.status = leg.status.value
            if leg.status in (m.LegStatus.ANSWERED, m.LegStatus.ACCEPTED) and not row.answered_at:
                row.answered_at = now
            if leg.status not in _ACTIVE and row.ended_at is None:
                row.ended_at = now

    async def finish_legs(self, now: datetime) -> None:
        """When the call ends, an accepted leg ends with it."""
        for row in await self.session.scalars(
            select(CallLeg).where(CallLeg.call_id == self.call.id, CallLeg.ended_at.is_(None))
        ):
            row.ended_at = now
            if row.status == m.LegStatus.ACCEPTED.value:
                row.status = m.LegStatus.COMPLETED.value

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


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None
