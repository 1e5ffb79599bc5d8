from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.bots.repository import BotRepository
from callroute.bots.schemas import BotCreate, BotUpdate
from callroute.clock import Clock
from callroute.db.handles import HandleKind, next_handle
from callroute.integrity.service import IntegrityService
from callroute.models import Bot
from callroute.validation import found, reject_nulls, require_unique_name


class BotService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session, self.project_id, self.clock = session, project_id, clock
        self.repo = BotRepository(session, project_id)

    async def create(self, data: BotCreate) -> Bot:
        await require_unique_name(self.repo, data.name, None, "bot")
        now = self.clock.now()
        row = Bot(
            project_id=self.project_id,
            handle=await next_handle(self.session, self.project_id, HandleKind.BOT),
            name=data.name,
            websocket_url=data.websocket_url,
            parameters=data.parameters,
            description=data.description,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(row)
        await self.session.flush()
        return row

    async def update(self, ref: str, data: BotUpdate) -> Bot:
        row = await found(self.repo, ref, "bot")
        reject_nulls(data)
        if data.name is not None and data.name != row.name:
            await require_unique_name(self.repo, data.name, row.id, "bot")
            row.name = data.name
        if data.websocket_url is not None:
            row.websocket_url = data.websocket_url
        if data.parameters is not None:
            row.parameters = data.parameters
        if data.description is not None:
            row.description = data.description
        row.updated_at = self.clock.now()
        await self.session.flush()
        return row

    async def delete(self, ref: str) -> uuid.UUID:
        row = await found(self.repo, ref, "bot")
        await IntegrityService(self.session, self.project_id).release(
            "bot", row.id, f"bot {row.name!r}", force=False
        )
        await self.repo.delete(row)
        return row.id
