from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.teams.schemas import TeamCreate, TeamListQuery, TeamOut, TeamUpdate
from callroute.teams.service import TeamService

router = APIRouter(prefix=f"{API_PREFIX}/teams", tags=["teams"])

Reader = Annotated[Principal, Depends(require("teams:read"))]
Writer = Annotated[Principal, Depends(require("teams:write"))]
Force = Annotated[bool, Query(description="Also remove the references to it.")]


@router.post("", status_code=201, response_model=TeamOut, summary="Create a team")
async def create_team(
    data: TeamCreate, principal: Writer, session: Session, clock: ClockDep
) -> TeamOut:
    team = await TeamService(session, principal.project_id, clock).create(data)
    return TeamOut.model_validate(team)


@router.get("", response_model=Page[TeamOut], summary="List teams")
async def list_teams(
    query: Annotated[TeamListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[TeamOut]:
    result = await TeamService(session, principal.project_id, clock).page(query)
    return page_of(TeamOut, result)


@router.get("/{team_id}", response_model=TeamOut, summary="Get a team")
async def get_team(team_id: str, principal: Reader, session: Session, clock: ClockDep) -> TeamOut:
    return TeamOut.model_validate(
        await TeamService(session, principal.project_id, clock).get(team_id)
    )


@router.patch("/{team_id}", response_model=TeamOut, summary="Update a team")
async def update_team(
    team_id: str, data: TeamUpdate, principal: Writer, session: Session, clock: ClockDep
) -> TeamOut:
    team = await TeamService(session, principal.project_id, clock).update(team_id, data)
    return TeamOut.model_validate(team)


@router.delete("/{team_id}", response_model=Deleted, summary="Delete a team")
async def delete_team(
    team_id: str, principal: Writer, session: Session, clock: ClockDep, force: Force = False
) -> Deleted:
    deleted, removed = await TeamService(session, principal.project_id, clock).delete(
        team_id, force=force
    )
    return Deleted.of(deleted, removed)
