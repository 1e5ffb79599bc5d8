from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.catalog.schemas import ServiceCreate, ServiceListQuery, ServiceOut, ServiceUpdate
from callroute.catalog.service import CatalogService
from callroute.integrity.schemas import Deleted

router = APIRouter(prefix=f"{API_PREFIX}/services", tags=["services"])

Reader = Annotated[Principal, Depends(require("services:read"))]
Writer = Annotated[Principal, Depends(require("services:write"))]


@router.post("", status_code=201, response_model=ServiceOut, summary="Create a service")
async def create_service(
    data: ServiceCreate, principal: Writer, session: Session, clock: ClockDep
) -> ServiceOut:
    service = await CatalogService(session, principal.project_id, clock).create(data)
    return ServiceOut.model_validate(service)


@router.get("", response_model=Page[ServiceOut], summary="List services and functionalities")
async def list_services(
    query: Annotated[ServiceListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[ServiceOut]:
    result = await CatalogService(session, principal.project_id, clock).page(query)
    return page_of(ServiceOut, result)


@router.get("/{service_id}", response_model=ServiceOut, summary="Get a service")
async def get_service(
    service_id: str, principal: Reader, session: Session, clock: ClockDep
) -> ServiceOut:
    service = await CatalogService(session, principal.project_id, clock).get(service_id)
    return ServiceOut.model_validate(service)


@router.patch("/{service_id}", response_model=ServiceOut, summary="Update a service")
async def update_service(
    service_id: str, data: ServiceUpdate, principal: Writer, session: Session, clock: ClockDep
) -> ServiceOut:
    service = await CatalogService(session, principal.project_id, clock).update(service_id, data)
    return ServiceOut.model_validate(service)


@router.delete("/{service_id}", response_model=Deleted, summary="Delete a service")
async def delete_service(
    service_id: str, principal: Writer, session: Session, clock: ClockDep
) -> Deleted:
    deleted = await CatalogService(session, principal.project_id, clock).delete(service_id)
    return Deleted.of(deleted, [])
