"""SIP trunks: schemas, service and routes in one module (a small resource)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from callroute import crypto
from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.api.pagination import ListQuery, Page
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictStr
from callroute.auth.principal import Principal
from callroute.clock import Clock
from callroute.db.handles import HandleKind, next_handle
from callroute.db.pagination import PageResult, paginate
from callroute.db.repository import ScopedRepository
from callroute.integrity.schemas import Deleted
from callroute.integrity.service import IntegrityService
from callroute.models import SipTrunk
from callroute.validation import found, reject_nulls, require_unique_name

SipUri = Annotated[
    StrictStr,
    Field(
        max_length=255, pattern=r"^sips?:[^\s]+$", description="e.g. sip:support@pbx.example.com"
    ),
]


class TrunkCreate(RequestModel):
    name: Name
    uri: SipUri
    username: StrictStr | None = Field(default=None, max_length=200)
    password: StrictStr | None = Field(
        default=None, max_length=200, description="Stored encrypted, never returned."
    )
    description: StrictStr = Field(default="", max_length=2000)


class TrunkUpdate(RequestModel):
    name: Name | None = None
    uri: SipUri | None = None
    username: StrictStr | None = Field(default=None, max_length=200)
    password: StrictStr | None = Field(default=None, max_length=200)
    description: StrictStr | None = Field(default=None, max_length=2000)


class TrunkOut(ResponseModel):
    id: uuid.UUID
    handle: int = Field(description="Integer id, unique in the project (VoiceLink SIP trunk id).")
    name: str
    uri: str
    username: str | None
    password_set: bool
    description: str
    created_at: datetime
    updated_at: datetime


class TrunkListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")


class TrunkRepository(ScopedRepository[SipTrunk]):
    model = SipTrunk
    sort_columns = {"created_at": SipTrunk.created_at, "name": SipTrunk.name}

    async def page(self, sort: Any, cursor: Any, limit: int) -> PageResult[SipTrunk]:
        return await paginate(
            self.session,
            self.scoped(),
            id_column=SipTrunk.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )


class TrunkService:
    def __init__(
        self, session: AsyncSession, project_id: uuid.UUID, clock: Clock, secret_key: str
    ) -> None:
        self.session, self.project_id, self.clock = session, project_id, clock
        self.repo = TrunkRepository(session, project_id)
        self.secret_key = secret_key

    async def create(self, data: TrunkCreate) -> SipTrunk:
        await require_unique_name(self.repo, data.name, None, "SIP trunk")
        now = self.clock.now()
        row = SipTrunk(
            project_id=self.project_id,
            handle=await next_handle(self.session, self.project_id, HandleKind.SIP_TRUNK),
            name=data.name,
            uri=data.uri,
            username=data.username,
            description=data.description,
            secrets=self._secrets(data.password),
            created_at=now,
            updated_at=now,
        )
        self.repo.add(row)
        await self.session.flush()
        return row

    async def update(self, ref: str, data: TrunkUpdate) -> SipTrunk:
        row = await found(self.repo, ref, "SIP trunk")
        reject_nulls(data, nullable=frozenset({"username", "password"}))
        if data.name is not None and data.name != row.name:
            await require_unique_name(self.repo, data.name, row.id, "SIP trunk")
            row.name = data.name
        if data.uri is not None:
            row.uri = data.uri
        if "username" in data.model_fields_set:
            row.username = data.username
        if "password" in data.model_fields_set:
            row.secrets = self._secrets(data.password)
        if data.description is not None:
            row.description = data.description
        row.updated_at = self.clock.now()
        await self.session.flush()
        return row

    def _secrets(self, password: str | None) -> dict[str, str]:
        return {"password": crypto.encrypt(self.secret_key, password)} if password else {}


def trunk_out(row: SipTrunk) -> TrunkOut:
    return TrunkOut(
        id=row.id,
        handle=row.handle,
        name=row.name,
        uri=row.uri,
        username=row.username,
        password_set="password" in row.secrets,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


router = APIRouter(prefix=f"{API_PREFIX}/sip-trunks", tags=["SIP trunks"])
Reader = Annotated[Principal, Depends(require("routers:read"))]
Writer = Annotated[Principal, Depends(require("routers:write"))]


def _service(principal: Principal, session: Session, clock: ClockDep, ctx: Ctx) -> TrunkService:
    return TrunkService(session, principal.project_id, clock, ctx.secret_key)


@router.post("", status_code=201, response_model=TrunkOut, summary="Add a SIP trunk")
async def create_trunk(
    data: TrunkCreate, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> TrunkOut:
    return trunk_out(await _service(principal, session, clock, ctx).create(data))


@router.get("", response_model=Page[TrunkOut], summary="List SIP trunks")
async def list_trunks(
    query: Annotated[TrunkListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
    ctx: Ctx,
) -> Page[TrunkOut]:
    result = await _service(principal, session, clock, ctx).repo.page(
        query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return Page[TrunkOut](
        data=[trunk_out(r) for r in result.rows], total=result.total, next_cursor=result.next_cursor
    )


@router.get("/{trunk_id}", response_model=TrunkOut, summary="Get a SIP trunk")
async def get_trunk(
    trunk_id: str, principal: Reader, session: Session, clock: ClockDep, ctx: Ctx
) -> TrunkOut:
    service = _service(principal, session, clock, ctx)
    return trunk_out(await found(service.repo, trunk_id, "SIP trunk"))


@router.patch("/{trunk_id}", response_model=TrunkOut, summary="Update a SIP trunk")
async def update_trunk(
    trunk_id: str, data: TrunkUpdate, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> TrunkOut:
    return trunk_out(await _service(principal, session, clock, ctx).update(trunk_id, data))


@router.delete("/{trunk_id}", response_model=Deleted, summary="Delete a SIP trunk")
async def delete_trunk(
    trunk_id: str, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> Deleted:
    service = _service(principal, session, clock, ctx)
    row = await found(service.repo, trunk_id, "SIP trunk")
    await IntegrityService(session, principal.project_id).release(
        "sip_trunk", row.id, f"SIP trunk {row.name!r}", force=False
    )
    await service.repo.delete(row)
    return Deleted.of(row.id, [])
