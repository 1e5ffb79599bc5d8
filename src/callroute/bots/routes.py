from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.bots.schemas import BotCreate, BotListQuery, BotOut, BotUpdate
from callroute.bots.service import BotService
from callroute.integrity.schemas import Deleted
from callroute.validation import found

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
