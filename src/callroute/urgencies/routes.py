from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.urgencies.schemas import UrgencyCreate, UrgencyListQuery, UrgencyOut, UrgencyUpdate
from callroute.urgencies.service import UrgencyService

router = APIRouter(prefix=f"{API_PREFIX}/urgencies", tags=["urgencies"])

Reader = Annotated[Principal, Depends(require("urgencies:read"))]
Writer = Annotated[Principal, Depends(require("urgencies:write"))]


@router.post("", status_code=201, response_model=UrgencyOut, summary="Add a custom urgency")
async def create_urgency(
    data: UrgencyCreate, principal: Writer, session: Session, clock: ClockDep
) -> UrgencyOut:
    urgency = await UrgencyService(session, principal.project_id, clock).create(data)
    return UrgencyOut.model_validate(urgency)


@router.get("", response_model=Page[UrgencyOut], summary="List urgencies, most urgent first")
async def list_urgencies(
    query: Annotated[UrgencyListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[UrgencyOut]:
    result = await UrgencyService(session, principal.project_id, clock).page(query)
    return page_of(UrgencyOut, result)


@router.get("/{urgency_id}", response_model=UrgencyOut, summary="Get an urgency (id or slug)")
async def get_urgency(
    urgency_id: str, principal: Reader, session: Session, clock: ClockDep
) -> UrgencyOut:
    urgency = await UrgencyService(session, principal.project_id, clock).get(urgency_id)
    return UrgencyOut.model_validate(urgency)


@router.patch("/{urgency_id}", response_model=UrgencyOut, summary="Update an urgency")
async def update_urgency(
    urgency_id: str, data: UrgencyUpdate, principal: Writer, session: Session, clock: ClockDep
) -> UrgencyOut:
    urgency = await UrgencyService(session, principal.project_id, clock).update(urgency_id, data)
    return UrgencyOut.model_validate(urgency)


@router.delete("/{urgency_id}", response_model=Deleted, summary="Delete a custom urgency")
async def delete_urgency(
    urgency_id: str, principal: Writer, session: Session, clock: ClockDep
) -> Deleted:
    deleted = await UrgencyService(session, principal.project_id, clock).delete(urgency_id)
    return Deleted.of(deleted, [])
