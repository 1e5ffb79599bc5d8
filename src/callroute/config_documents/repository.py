"""The project's configuration rows, each kind whole and in name order: what an export
writes and a plan compares with. Rows of another project are never read."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select

from callroute.db.repository import ScopedRepository
from callroute.models import (
    Bot,
    Contact,
    EscalationPolicy,
    Member,
    PhoneNumber,
    ProviderConnection,
    Router,
    Schedule,
    ScheduleOverride,
    Service,
    SipTrunk,
    Team,
    Urgency,
    WebhookSubscription,
)

T = TypeVar("T")


class ConfigRepository(ScopedRepository[Any]):
    """Reads of many kinds at once; each query is limited to the project like any other."""

    model = Router

    async def _all(self, model: type[T], *order: Any) -> list[T]:
        rows = await self.session.scalars(
            select(model)
            .where(model.project_id == self.project_id)  # type: ignore[attr-defined]
            .order_by(*order, model.id)  # type: ignore[attr-defined]
        )
        return list(rows.all())

    async def members(self) -> list[Member]:
        return await self._all(Member, Member.name)

    async def teams(self) -> list[Team]:
        return await self._all(Team, Team.name)

    async def schedules(self) -> list[Schedule]:
        return await self._all(Schedule, Schedule.name)

    async def overrides(self) -> list[ScheduleOverride]:
        return await self._all(ScheduleOverride, ScheduleOverride.starts_at)

    async def overrides_of(self, schedule_id: uuid.UUID) -> list[ScheduleOverride]:
        return [o for o in await self.overrides() if o.schedule_id == schedule_id]

    async def policies(self) -> list[EscalationPolicy]:
        return await self._all(EscalationPolicy, EscalationPolicy.name)

    async def services(self) -> list[Service]:
        return await self._all(Service, Service.name)

    async def urgencies(self) -> list[Urgency]:
        return await self._all(Urgency, Urgency.name)

    async def contacts(self) -> list[Contact]:
        return await self._all(Contact, Contact.name)

    async def trunks(self) -> list[SipTrunk]:
        return await self._all(SipTrunk, SipTrunk.name)

    async def bots(self) -> list[Bot]:
        return await self._all(Bot, Bot.name)

    async def routers(self) -> list[Router]:
        return await self._all(Router, Router.name)

    async def subscriptions(self) -> list[WebhookSubscription]:
        return await self._all(WebhookSubscription, WebhookSubscription.url)

    async def connections(self) -> list[ProviderConnection]:
        return await self._all(ProviderConnection, ProviderConnection.name)

    async def numbers(self) -> list[PhoneNumber]:
        return await self._all(PhoneNumber, PhoneNumber.number)
