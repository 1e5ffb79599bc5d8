from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.members.schemas import MemberCreate, MemberListQuery, MemberOut, MemberUpdate
from callroute.members.service import MemberService

router = APIRouter(prefix=f"{API_PREFIX}/members", tags=["members"])

Reader = Annotated[Principal, Depends(require("members:read"))]
Writer = Annotated[Principal, Depends(require("members:write"))]


def _service(principal: Principal, session: Session, clock: ClockDep) -> MemberService:
    return MemberService(session, principal.project_id, clock, actor=principal.permissions)


@router.post("", status_code=201, response_model=MemberOut, summary="Create a member")
async def create_member(
    data: MemberCreate, principal: Writer, session: Session, clock: ClockDep
) -> MemberOut:
    member = await _service(principal, session, clock).create(data)
    return MemberOut.model_validate(member)


@router.get("", response_model=Page[MemberOut], summary="List members")
async def list_members(
    query: Annotated[MemberListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[MemberOut]:
    result = await _service(principal, session, clock).page(query)
    return page_of(MemberOut, result)


@router.get("/{member_id}", response_model=MemberOut, summary="Get a member")
async def get_member(
    member_id: str, principal: Reader, session: Session, clock: ClockDep
) -> MemberOut:
    return MemberOut.model_validate(await _service(principal, session, clock).get(member_id))


@router.patch("/{member_id}", response_model=MemberOut, summary="Update a member")
async def update_member(
    member_id: str, data: MemberUpdate, principal: Writer, session: Session, clock: ClockDep
) -> MemberOut:
    member = await _service(principal, session, clock).update(member_id, data)
    return MemberOut.model_validate(member)


@router.delete("/{member_id}", response_model=Deleted, summary="Delete a member")
async def delete_member(
    member_id: str,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    force: Annotated[
        bool,
        Query(
            description="Also remove them from teams, rotations, overrides and escalation levels."
        ),
    ] = False,
) -> Deleted:
    deleted, removed = await _service(principal, session, clock).delete(member_id, force=force)
    return Deleted.of(deleted, removed)
