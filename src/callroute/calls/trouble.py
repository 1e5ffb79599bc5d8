"""A provider outage is part of the call's story: its timeline says what failed and when it
is tried again."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.records import CallRecords
from callroute.calls.repository import lock_call


async def note_provider_trouble(
    session: AsyncSession,
    call_id: uuid.UUID,
    message: str,
    attempt: int,
    retry_in_seconds: int | None,
    now: datetime,
) -> None:
    call = await lock_call(session, call_id)
    if call is None:
        return
    records = CallRecords(session, call)
    detail = {"message": message, "attempt": attempt, "retry_in_seconds": retry_in_seconds}
    await records.append(now, [("provider_unavailable", detail)])
    await records.write()
