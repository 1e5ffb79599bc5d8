from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.schemas import HANDLEABLE_STATUSES
from callroute.db.dialect import dialect_of
from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.db.revisions import CONFIG
from callroute.models import (
    Call,
    CallEvent,
    CallLeg,
    PhoneNumber,
    ProviderConnection,
    Recording,
    Revision,
    Router,
)
from callroute.models.call import CallOrigin

_HANDLEABLE = sorted(status.value for status in HANDLEABLE_STATUSES)


@dataclass(frozen=True)
class InboundTarget:
    """Where a dialled number leads, read in one query at the start of an inbound call."""

    number_id: uuid.UUID
    project_id: uuid.UUID
    connection_id: uuid.UUID
    connection_kind: str
    connection_enabled: bool
    connection_settings: dict[str, Any]  # public settings (a provider account id, ...)
    connection_secrets: dict[str, str]  # encrypted: for checking the provider's signature
    router_id: uuid.UUID | None
    router_enabled: bool | None  # None: no router
    revision: int  # the configuration revision, read before any configuration
    existing_call_id: uuid.UUID | None  # a retried start of a call we have already


def _inbound_statement() -> Select[Any]:
    """Built once: a statement object reused with new parameters skips both building the
    expression and hashing it for the compiled-statement cache."""
    numbers, connections, routers, calls, revisions = (
        model.__table__  # Core columns: no ORM statement path
        for model in (PhoneNumber, ProviderConnection, Router, Call, Revision)
    )
    revision = select(revisions.c.value).where(revisions.c.name == CONFIG).scalar_subquery()
    return (
        select(
            numbers.c.id,
            numbers.c.project_id,
            numbers.c.connection_id,
            connections.c.kind,
            connections.c.enabled,
            connections.c.settings,
            connections.c.secrets,
            numbers.c.router_id,
            routers.c.enabled,
            revision,
            calls.c.id,
        )
        .join(connections, connections.c.id == numbers.c.connection_id)
        .outerjoin(routers, routers.c.id == numbers.c.router_id)
        .outerjoin(
            calls,
            and_(
                calls.c.connection_id == numbers.c.connection_id,
                calls.c.provider_call_id == bindparam("provider_call_id"),
            ),
        )
        .where(numbers.c.number == bindparam("number"))
    )


_INBOUND = _inbound_statement()


async def inbound_target(
    session: AsyncSession, number: str, provider_call_id: str
) -> InboundTarget | None:
    """The number's project, connection and router, the configuration revision, and the call
    this provider call id already started (a provider retrying its webhook), if any."""
    connection = await session.connection()
    result = await connection.execute(
        _INBOUND, {"number": number, "provider_call_id": provider_call_id}
    )
    row = result.first()
    if row is None:
        return None
    (
        number_id,
        project_id,
        connection_id,
        kind,
        enabled,
        settings,
        secrets,
        router_id,
        router_enabled,
        revision_value,
        existing_call_id,
    ) = tuple(row)
    return InboundTarget(
        number_id=number_id,
        project_id=project_id,
        connection_id=connection_id,
        connection_kind=kind,
        connection_enabled=enabled,
        connection_settings=dict(settings or {}),
        connection_secrets=dict(secrets or {}),
        router_id=router_id,
        router_enabled=router_enabled,
        revision=int(revision_value or 0),
        existing_call_id=existing_call_id,
    )


async def calls_by_provider_id(
    session: AsyncSession, provider: str, provider_call_id: str
) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    """The calls a provider knows by ``provider_call_id`` (one per connection at most), with
    their connection's public settings: a provider's callback that names a call only by its
    own id is matched to the account that sent it."""
    rows = await session.execute(
        select(Call.id, ProviderConnection.settings)
        .join(ProviderConnection, ProviderConnection.id == Call.connection_id)
        .where(Call.provider == provider, Call.provider_call_id == provider_call_id)
    )
    return [(call_id, dict(settings or {})) for call_id, settings in rows.all()]


async def lock_call(session: AsyncSession, call_id: uuid.UUID) -> Call | None:
    """The call row, locked for this transaction. Take it before writing anything that
    references the call: on PostgreSQL, inserting a child row (timer, event, inbox entry)
    takes a KEY SHARE lock on the call, and two transactions that each did that before asking
    for the row lock would deadlock. NO KEY UPDATE still serialises every step of a call but
    does not conflict with those KEY SHARE locks."""
    stmt = select(Call).where(Call.id == call_id).execution_options(populate_existing=True)
    if dialect_of(session) == "postgresql":
        stmt = stmt.with_for_update(key_share=True)
    call: Call | None = await session.scalar(stmt)
    return call


async def enabled_routers(session: AsyncSession) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(project id, router id) of every enabled router, in every project."""
    rows = await session.execute(
        select(Router.project_id, Router.id).where(Router.enabled.is_(True)).order_by(Router.id)
    )
    return [(project_id, router_id) for project_id, router_id in rows.all()]


async def first_leg_started_at(session: AsyncSession, call_id: uuid.UUID) -> datetime | None:
    """When the call's first responder leg was started: the engine's decision to ring."""
    started: datetime | None = await session.scalar(
        select(func.min(CallLeg.started_at)).where(CallLeg.call_id == call_id)
    )
    return started


async def timeline_after(
    session: AsyncSession, call_id: uuid.UUID, sequence: int
) -> list[CallEvent]:
    """The call's timeline entries after ``sequence``, in order: following a call as it goes."""
    rows = await session.scalars(
        select(CallEvent)
        .where(CallEvent.call_id == call_id, CallEvent.sequence > sequence)
        .order_by(CallEvent.sequence)
    )
    return list(rows.all())


class CallRepository(ScopedRepository[Call]):
    model = Call
    sort_columns = {"started_at": Call.started_at}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Call]:
        stmt = self.scoped()
        if "router_id" in filters:
            stmt = stmt.where(Call.router_id == filters["router_id"])
        if "direction" in filters:
            stmt = stmt.where(Call.direction == filters["direction"])
        if "status" in filters:
            stmt = stmt.where(Call.status == filters["status"])
        if "number" in filters:
            stmt = stmt.where(
                or_(Call.from_number == filters["number"], Call.to_number == filters["number"])
            )
        if "started_after" in filters:
            stmt = stmt.where(Call.started_at >= filters["started_after"])
        if "started_before" in filters:
            stmt = stmt.where(Call.started_at < filters["started_before"])
        if "answered_by" in filters:
            stmt = stmt.where(Call.answered_by_id == filters["answered_by"])
        if "member_id" in filters:
            stmt = stmt.where(Call.member_id == filters["member_id"])
        if "origin" in filters:
            stmt = stmt.where(Call.origin == filters["origin"])
        if "handled" in filters:
            stmt = stmt.where(
                Call.handled_at.is_not(None)
                if filters["handled"]
                else and_(Call.handled_at.is_(None), Call.status.in_(_HANDLEABLE))
            )
        return await paginate(
            self.session,
            stmt,
            id_column=Call.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def logged_by_provider_id(self, provider: str, provider_call_id: str) -> Call | None:
        row: Call | None = await self.session.scalar(
            self.scoped().where(
                Call.origin == CallOrigin.LOGGED.value,
                Call.provider == provider,
                Call.provider_call_id == provider_call_id,
            )
        )
        return row

    async def legs(self, call_id: uuid.UUID) -> list[CallLeg]:
        rows = await self.session.scalars(
            select(CallLeg)
            .where(CallLeg.project_id == self.project_id, CallLeg.call_id == call_id)
            .order_by(CallLeg.started_at, CallLeg.leg_key)
        )
        return list(rows.all())

    async def recordings(self, call_id: uuid.UUID) -> list[Recording]:
        rows = await self.session.scalars(
            select(Recording)
            .where(Recording.project_id == self.project_id, Recording.call_id == call_id)
            .order_by(Recording.created_at)
        )
        return list(rows.all())

    async def events(
        self,
        call_id: uuid.UUID,
        filters: dict[str, Any],
        sort: SortSpec,
        cursor: Cursor | None,
        limit: int,
    ) -> PageResult[CallEvent]:
        stmt = select(CallEvent).where(
            CallEvent.project_id == self.project_id, CallEvent.call_id == call_id
        )
        if "kind" in filters:
            stmt = stmt.where(CallEvent.kind == filters["kind"])
        return await paginate(
            self.session,
            stmt,
            id_column=CallEvent.id,
            sort_columns={"sequence": CallEvent.sequence},
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
