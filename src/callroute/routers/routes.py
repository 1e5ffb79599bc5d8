from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.models import Router
from callroute.routers.repository import RouterRepository
from callroute.routers.schemas import (
    PhoneNumberRef,
    RouterCreate,
    RouterListQuery,
    RouterOut,
    RouterUpdate,
)
from callroute.routers.service import RouterService

router = APIRouter(prefix=f"{API_PREFIX}/routers", tags=["routers"])

Reader = Annotated[Principal, Depends(require("routers:read"))]
Writer = Annotated[Principal, Depends(require("routers:write"))]


async def _out(session: Session, principal: Principal, rows: list[Router]) -> list[RouterOut]:
    numbers = await RouterRepository(session, principal.project_id).numbers_of([r.id for r in rows])
    return [
        RouterOut.model_validate(
            {
                **row.config,
                "id": row.id,
                "handle": row.handle,
                "name": row.name,
                "slug": row.slug,
                "enabled": row.enabled,
                "description": row.description,
                "labels": row.labels,
                "connection_id": row.connection_id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "phone_numbers": [
                    PhoneNumberRef(id=n.id, number=n.number) for n in numbers[row.id]
                ],
            }
        )
        for row in rows
    ]


@router.post("", status_code=201, response_model=RouterOut, summary="Create a router")
async def create_router(
    data: RouterCreate, principal: Writer, session: Session, clock: ClockDep
) -> RouterOut:
    row = await RouterService(session, principal.project_id, clock).create(data)
    return (await _out(session, principal, [row]))[0]


@router.get("", response_model=Page[RouterOut], summary="List routers")
async def list_routers(
    query: Annotated[RouterListQuery, Query()], principal: Reader, session: Session, clock: ClockDep
) -> Page[RouterOut]:
    result = await RouterService(session, principal.project_id, clock).page(query)
    return Page[RouterOut](
        data=await _out(session, principal, list(result.rows)),
        total=result.total,
        next_cursor=result.next_cursor,
    )


@router.get("/{router_id}", response_model=RouterOut, summary="Get a router")
async def get_router(
    router_id: str, principal: Reader, session: Session, clock: ClockDep
) -> RouterOut:
    row = await RouterService(session, principal.project_id, clock).get(router_id)
    return (await _out(session, principal, [row]))[0]


@router.patch("/{router_id}", response_model=RouterOut, summary="Update a router")
async def update_router(
    router_id: str, data: RouterUpdate, principal: Writer, session: Session, clock: ClockDep
) -> RouterOut:
    row = await RouterService(session, principal.project_id, clock).update(router_id, data)
    return (await _out(session, principal, [row]))[0]


@router.delete("/{router_id}", response_model=Deleted, summary="Delete a router")
async def delete_router(
    router_id: str, principal: Writer, session: Session, clock: ClockDep
) -> Deleted:
    deleted = await RouterService(session, principal.project_id, clock).delete(router_id)
    return Deleted.of(deleted, [])
