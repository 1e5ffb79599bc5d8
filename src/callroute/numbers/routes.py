from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.api.openapi import PROVIDER_FAILURES
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.numbers.schemas import (
    AvailableOut,
    AvailableQuery,
    NumberClaim,
    NumberListQuery,
    NumberOut,
    NumberUpdate,
)
from callroute.numbers.service import NumberService

router = APIRouter(prefix=f"{API_PREFIX}/numbers", tags=["phone numbers"])

Reader = Annotated[Principal, Depends(require("numbers:read"))]
Writer = Annotated[Principal, Depends(require("numbers:write"))]


@router.get(
    "/available",
    response_model=list[AvailableOut],
    summary="Numbers the connection can provision",
    responses=PROVIDER_FAILURES,
)
async def available_numbers(
    query: Annotated[AvailableQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> list[AvailableOut]:
    service = NumberService(session, principal.project_id, clock, ctx.provider_env)
    offered = await service.available(query)
    return [
        AvailableOut(
            number=n.number,
            country=n.country,
            type=n.number_type,
            capabilities=list(n.capabilities),
        )
        for n in offered
    ]


@router.post(
    "",
    status_code=201,
    response_model=NumberOut,
    summary="Claim a number",
    responses=PROVIDER_FAILURES,
)
async def claim_number(
    data: NumberClaim, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> NumberOut:
    number = await NumberService(session, principal.project_id, clock, ctx.provider_env).claim(data)
    return NumberOut.model_validate(number)


@router.get("", response_model=Page[NumberOut], summary="List phone numbers")
async def list_numbers(
    query: Annotated[NumberListQuery, Query()], principal: Reader, session: Session, clock: ClockDep
) -> Page[NumberOut]:
    return page_of(NumberOut, await NumberService(session, principal.project_id, clock).page(query))


@router.get("/{number_id}", response_model=NumberOut, summary="Get a phone number")
async def get_number(
    number_id: str, principal: Reader, session: Session, clock: ClockDep
) -> NumberOut:
    return NumberOut.model_validate(
        await NumberService(session, principal.project_id, clock).get(number_id)
    )


@router.patch(
    "/{number_id}", response_model=NumberOut, summary="Label a number, or attach it to a router"
)
async def update_number(
    number_id: str, data: NumberUpdate, principal: Writer, session: Session, clock: ClockDep
) -> NumberOut:
    number = await NumberService(session, principal.project_id, clock).update(number_id, data)
    return NumberOut.model_validate(number)


@router.delete(
    "/{number_id}",
    response_model=Deleted,
    summary="Release a number",
    responses=PROVIDER_FAILURES,
)
async def release_number(
    number_id: str,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
    force: Annotated[bool, Query(description="Release even if a router uses it.")] = False,
    give_back: Annotated[
        bool,
        Query(description="Also return the number to the provider: it stops being billed."),
    ] = False,
) -> Deleted:
    service = NumberService(session, principal.project_id, clock, ctx.provider_env)
    deleted = await service.release(number_id, force=force, give_back=give_back)
    return Deleted.of(deleted, [])
