"""Bots: schemas, service and routes in one module (a small resource)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import ListQuery, Page, page_of
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictStr
from callroute.auth.principal import Principal
from callroute.clock import Clock
from callroute.db.handles import HandleKind, next_handle
from callroute.db.pagination import PageResult, paginate
from callroute.db.repository import ScopedRepository
from callroute.integrity.schemas import Deleted
from callroute.integrity.service import IntegrityService
from callroute.models import Bot
from callroute.validation import found, reject_nulls, require_unique_name

WebSocketUrl = Annotated[
    StrictStr,
    Field(
        max_length=1000,
        pattern=r"^wss?://[^\s/]+\S*$",
        description="ws:// or wss:// URL of the bot",
    ),
]
Parameters = Annotated[dict[StrictStr, StrictStr], Field(max_length=20)]


class BotCreate(RequestModel):
    name: Name
    websocket_url: WebSocketUrl
    parameters: Parameters = Field(
        default_factory=dict, description="Sent to the bot when a call connects."
    )
    description: StrictStr = Field(default="", max_length=2000)


class BotUpdate(RequestModel):
    name: Name | None = None
    websocket_url: WebSocketUrl | None = None
    parameters: Parameters | None = None
    description: StrictStr | None = Field(default=None, max_length=2000)


class BotOut(ResponseModel):
    id: uuid.UUID
    handle: int = Field(description="Integer id, unique in the project (VoiceLink bot id).")
    name: str
    websocket_url: str
    parameters: dict[str, str]
    description: str
    created_at: datetime
    updated_at: datetime


class BotListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")


class BotRepository(ScopedRepository[Bot]):
    model = Bot
    sort_columns = {"created_at": Bot.created_at, "name": Bot.name}

    async def page(self, sort: Any, cursor: Any, limit: int) -> PageResult[Bot]:
        return await paginate(
            self.session,
            self.scoped(),
            id_column=Bot.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )


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


router = APIRouter(prefix=f"{API_PREFIX}/bots", tags=["bots"])
Reader = Annotated[Principal, Depends(require("routers:read"))]
Writer = Annotated[Principal, Depends(require("routers:write"))]


@router.post("", status_code=201, response_model=BotOut, summary="Add a bot")
async def create_bot(
    data: BotCreate, principal: Writer, session: Session, clock: ClockDep
) -> BotOut:
    return BotOut.model_validate(
        await BotService(session, principal.project_id, clock).create(data)
    )


@router.get("", response_model=Page[BotOut], summary="List bots")
async def list_bots(
    query: Annotated[BotListQuery, Query()], principal: Reader, session: Session, clock: ClockDep
) -> Page[BotOut]:
    result = await BotService(session, principal.project_id, clock).repo.page(
        query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return page_of(BotOut, result)


@router.get("/{bot_id}", response_model=BotOut, summary="Get a bot")
async def get_bot(bot_id: str, principal: Reader, session: Session, clock: ClockDep) -> BotOut:
    service = BotService(session, principal.project_id, clock)
    return BotOut.model_validate(await found(service.repo, bot_id, "bot"))


@router.patch("/{bot_id}", response_model=BotOut, summary="Update a bot")
async def update_bot(
    bot_id: str, data: BotUpdate, principal: Writer, session: Session, clock: ClockDep
) -> BotOut:
    return BotOut.model_validate(
        await BotService(session, principal.project_id, clock).update(bot_id, data)
    )


@router.delete("/{bot_id}", response_model=Deleted, summary="Delete a bot")
async def delete_bot(bot_id: str, principal: Writer, session: Session, clock: ClockDep) -> Deleted:
    return Deleted.of(await BotService(session, principal.project_id, clock).delete(bot_id), [])
