from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyListQuery, ApiKeyOut
from callroute.api_keys.service import ApiKeyService
from callroute.auth.principal import Principal

router = APIRouter(prefix=f"{API_PREFIX}/api-keys", tags=["api keys"])

Reader = Annotated[Principal, Depends(require("api_keys:read"))]
Writer = Annotated[Principal, Depends(require("api_keys:write"))]


@router.post("", status_code=201, response_model=ApiKeyCreated, summary="Create an API key")
async def create_api_key(
    data: ApiKeyCreate, principal: Writer, session: Session, clock: ClockDep
) -> ApiKeyCreated:
    service = ApiKeyService(session, principal.project_id, clock)
    row, secret = await service.create(data, granter=principal.permissions)
    return ApiKeyCreated.model_validate(
        {**ApiKeyOut.model_validate(row).model_dump(), "key": secret}
    )


@router.get("", response_model=Page[ApiKeyOut], summary="List API keys")
async def list_api_keys(
    query: Annotated[ApiKeyListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[ApiKeyOut]:
    result = await ApiKeyService(session, principal.project_id, clock).page(query)
    return page_of(ApiKeyOut, result)


@router.get("/{key_id}", response_model=ApiKeyOut, summary="Get an API key (never its secret)")
async def get_api_key(
    key_id: str, principal: Reader, session: Session, clock: ClockDep
) -> ApiKeyOut:
    row = await ApiKeyService(session, principal.project_id, clock).get(key_id)
    return ApiKeyOut.model_validate(row)


@router.delete(
    "/{key_id}",
    response_model=ApiKeyOut,
    summary="Revoke an API key",
    description="Only a key holding every permission of the revoked key may revoke it (an "
    "owner key, only an owner key); the project's last working owner key cannot be revoked.",
)
async def revoke_api_key(
    key_id: str, principal: Writer, session: Session, clock: ClockDep
) -> ApiKeyOut:
    service = ApiKeyService(session, principal.project_id, clock)
    row = await service.revoke(key_id, actor=principal.permissions)
    return ApiKeyOut.model_validate(row)
