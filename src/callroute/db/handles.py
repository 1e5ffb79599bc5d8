"""Integer handles: short, stable numbers for phone numbers, bots, SIP trunks and routers.

Ids are UUIDs; a handle is the small positive integer people and integer-keyed tools (such as
VoiceLink-style clients) use for the same row. Handles count up per project and kind, are
never reused after a delete, and are unique per (project, kind).
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.db.dialect import dialect_of
from callroute.models import ProjectCounter


class HandleKind(StrEnum):
    PHONE_NUMBER = "phone_number"
    BOT = "bot"
    SIP_TRUNK = "sip_trunk"
    ROUTER = "router"


async def next_handle(session: AsyncSession, project_id: uuid.UUID, kind: HandleKind) -> int:
    """The next handle of ``kind`` in the project, taken in the caller's transaction."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    stmt = (
        insert(ProjectCounter)
        .values(project_id=project_id, name=kind.value, value=1)
        .on_conflict_do_update(
            index_elements=["project_id", "name"],
            set_={"value": ProjectCounter.value + 1},
        )
        .returning(ProjectCounter.value)
    )
    return int((await session.execute(stmt)).scalar_one())
