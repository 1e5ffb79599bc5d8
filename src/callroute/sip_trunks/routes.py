from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.api.pagination import Page
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.models import SipTrunk
from callroute.sip_trunks.schemas import TrunkCreate, TrunkListQuery, TrunkOut, TrunkUpdate
from callroute.sip_trunks.service import TrunkService
from callroute.validation import found


def trunk_out(row: SipTrunk) -> TrunkOut:
    return TrunkOut(
        id=row.id,
        handle=row.handle,
        name=row.name,
        uri=row.uri,
        username=row.username,
        password_set="password" in row.secrets,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


router = APIRouter(prefix=f"{API_PREFIX}/sip-trunks", tags=["SIP trunks"])
Reader = Annotated[Principal, Depends(require("routers:read"))]
Writer = Annotated[Principal, Depends(require("routers:write"))]


def _service(principal: Principal, session: Session, clock: ClockDep, ctx: Ctx) -> TrunkService:
    return TrunkService(session, principal.project_id, clock, ctx.secret_keys)


@router.post("", status_code=201, response_model=TrunkOut, summary="Add a SIP trunk")
async def create_trunk(
    data: TrunkCreate, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> TrunkOut:
    return trunk_out(await _service(principal, session, clock, ctx).create(data))


@router.get("", response_model=Page[TrunkOut], summary="List SIP trunks")
async def list_trunks(
    query: Annotated[TrunkListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> Page[TrunkOut]:
    result = await _service(principal, session, clock, ctx).repo.page(
        query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return Page[TrunkOut](
        data=[trunk_out(r) for r in result.rows], total=result.total, next_cursor=result.next_cursor
    )


@router.get("/{trunk_id}", response_model=TrunkOut, summary="Get a SIP trunk")
async def get_trunk(
    trunk_id: str, principal: Reader, session: Session, clock: ClockDep, ctx: Ctx
) -> TrunkOut:
    service = _service(principal, session, clock, ctx)
    return trunk_out(await found(service.repo, trunk_id, "SIP trunk"))


@router.patch("/{trunk_id}", response_model=TrunkOut, summary="Update a SIP trunk")
async def update_trunk(
    trunk_id: str, data: TrunkUpdate, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> TrunkOut:
    return trunk_out(await _service(principal, session, clock, ctx).update(trunk_id, data))


@router.delete("/{trunk_id}", response_model=Deleted, summary="Delete a SIP trunk")
async def delete_trunk(
    trunk_id: str, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> Deleted:
    return Deleted.of(await _service(principal, session, clock, ctx).delete(trunk_id), [])
