from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.auth.principal import Principal
from callroute.projects.schemas import ProjectOut, ProjectUpdate
from callroute.projects.service import ProjectService

router = APIRouter(prefix=f"{API_PREFIX}/project", tags=["project"])


@router.get("", response_model=ProjectOut, summary="The project of the API key")
async def get_project(
    principal: Annotated[Principal, Depends(require("project:read"))],
    session: Session,
    clock: ClockDep,
) -> ProjectOut:
    project = await ProjectService(session, clock).get(principal.project_id)
    return ProjectOut.model_validate(project)


@router.patch("", response_model=ProjectOut, summary="Rename the project")
async def update_project(
    data: ProjectUpdate,
    principal: Annotated[Principal, Depends(require("project:write"))],
    session: Session,
    clock: ClockDep,
) -> ProjectOut:
    project = await ProjectService(session, clock).update(principal.project_id, data)
    return ProjectOut.model_validate(project)
