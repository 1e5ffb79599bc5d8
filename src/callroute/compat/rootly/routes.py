"""``/v1/live_call_routers``: Rootly's live call routers API, served from callroute's routers.

Bodies are JSON:API documents (``application/vnd.api+json``, plain JSON accepted too) read by
``documents.read``; responses carry the JSON:API media type. The key is the usual callroute
API key, sent as ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from callroute.api.deps import ClockDep, Ctx, Session, require
from callroute.api.openapi import PROVIDER_FAILURES
from callroute.auth.principal import Principal
from callroute.compat.rootly import documents, query
from callroute.compat.rootly.errors import JsonApiResponse
from callroute.compat.rootly.schemas import CreateDocument, GenerateNumberQuery, UpdateDocument
from callroute.compat.rootly.service import LiveCallRouterService

PREFIX = "/v1/live_call_routers"

router = APIRouter(
    prefix=PREFIX, tags=["Rootly live call routers"], default_response_class=JsonApiResponse
)

Reader = Annotated[Principal, Depends(require("routers:read"))]
Writer = Annotated[Principal, Depends(require("routers:write"))]
NumberReader = Annotated[Principal, Depends(require("numbers:read"))]


@router.get("", summary="List live call routers")
async def list_live_call_routers(
    request: Request, principal: Reader, session: Session, clock: ClockDep
) -> JsonApiResponse:
    params = query.parse(request.query_params.multi_items())
    service = LiveCallRouterService(session, principal.project_id, clock)
    resources, total = await service.page(params)
    base_url = str(request.url.remove_query_params(list(request.query_params)))
    return JsonApiResponse({"data": resources, **query.links_and_meta(base_url, params, total)})


@router.post("", status_code=201, summary="Create a live call router", responses=PROVIDER_FAILURES)
async def create_live_call_router(
    request: Request, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> JsonApiResponse:
    document = await documents.read(request, CreateDocument)
    service = LiveCallRouterService(session, principal.project_id, clock, ctx.provider_env)
    created = await service.create(
        document.data.attributes, may_claim=principal.can("numbers:write")
    )
    return JsonApiResponse({"data": created}, status_code=201)


@router.get(
    "/generate_phone_number",
    summary="A phone number a new router can take",
    responses=PROVIDER_FAILURES,
)
async def generate_phone_number(
    params: Annotated[GenerateNumberQuery, Query()],
    principal: NumberReader,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> JsonApiResponse:
    service = LiveCallRouterService(session, principal.project_id, clock, ctx.provider_env)
    return JsonApiResponse({"phone_number": await service.generate_number(params)})


@router.get("/{router_id}", summary="Get a live call router")
async def get_live_call_router(
    router_id: str, principal: Reader, session: Session, clock: ClockDep
) -> JsonApiResponse:
    service = LiveCallRouterService(session, principal.project_id, clock)
    return JsonApiResponse({"data": await service.get(router_id)})


@router.put("/{router_id}", summary="Update a live call router (the attributes sent)")
async def update_live_call_router(
    router_id: str, request: Request, principal: Writer, session: Session, clock: ClockDep
) -> JsonApiResponse:
    document = await documents.read(request, UpdateDocument, router_id)
    service = LiveCallRouterService(session, principal.project_id, clock)
    return JsonApiResponse({"data": await service.update(router_id, document.data.attributes)})


@router.delete("/{router_id}", summary="Delete a live call router; answers with it")
async def delete_live_call_router(
    router_id: str, principal: Writer, session: Session, clock: ClockDep
) -> JsonApiResponse:
    service = LiveCallRouterService(session, principal.project_id, clock)
    return JsonApiResponse({"data": await service.delete(router_id)})
