from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.api.openapi import PROVIDER_FAILURES
from callroute.api.pagination import Page
from callroute.auth.principal import Principal
from callroute.connections.schemas import (
    ConnectionCreate,
    ConnectionListQuery,
    ConnectionOut,
    ConnectionTestOut,
    ConnectionUpdate,
)
from callroute.connections.service import ConnectionService, connection_out
from callroute.integrity.schemas import Deleted

router = APIRouter(prefix=f"{API_PREFIX}/connections", tags=["connections"])

Reader = Annotated[Principal, Depends(require("connections:read"))]
Writer = Annotated[Principal, Depends(require("connections:write"))]


def _service(
    principal: Principal, session: Session, clock: ClockDep, ctx: Ctx
) -> ConnectionService:
    return ConnectionService(session, principal.project_id, clock, ctx.secret_keys)


@router.post("", status_code=201, response_model=ConnectionOut, summary="Add a connection")
async def create_connection(
    data: ConnectionCreate, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> ConnectionOut:
    return connection_out(await _service(principal, session, clock, ctx).create(data))


@router.get("", response_model=Page[ConnectionOut], summary="List connections")
async def list_connections(
    query: Annotated[ConnectionListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> Page[ConnectionOut]:
    result = await _service(principal, session, clock, ctx).page(query)
    return Page[ConnectionOut](
        data=[connection_out(r) for r in result.rows],
        total=result.total,
        next_cursor=result.next_cursor,
    )


@router.get("/{connection_id}", response_model=ConnectionOut, summary="Get a connection")
async def get_connection(
    connection_id: str, principal: Reader, session: Session, clock: ClockDep, ctx: Ctx
) -> ConnectionOut:
    return connection_out(await _service(principal, session, clock, ctx).get(connection_id))


@router.patch("/{connection_id}", response_model=ConnectionOut, summary="Update a connection")
async def update_connection(
    connection_id: str,
    data: ConnectionUpdate,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> ConnectionOut:
    row = await _service(principal, session, clock, ctx).update(connection_id, data)
    return connection_out(row)


@router.delete("/{connection_id}", response_model=Deleted, summary="Delete a connection")
async def delete_connection(
    connection_id: str, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> Deleted:
    deleted = await _service(principal, session, clock, ctx).delete(connection_id)
    return Deleted.of(deleted, [])


@router.post(
    "/{connection_id}/test",
    response_model=ConnectionTestOut,
    summary="Check that the connection works",
    responses=PROVIDER_FAILURES,
    description="Calls the provider with the stored credentials; needs `connections:write`.",
)
async def test_connection(
    connection_id: str, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> ConnectionTestOut:
    # A write permission: the test uses the stored credentials against the provider.
    detail = await _service(principal, session, clock, ctx).check(connection_id, ctx.provider_env)
    return ConnectionTestOut(ok=True, detail=detail)
