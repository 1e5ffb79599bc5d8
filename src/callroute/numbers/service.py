from __future__ import annotations

import uuid

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.connections.repository import ConnectionRepository
from callroute.db.handles import HandleKind, next_handle
from callroute.db.pagination import PageResult
from callroute.errors import Conflict, ValidationFailed
from callroute.members.repository import MemberRepository
from callroute.models import PhoneNumber, ProviderConnection
from callroute.numbers.repository import NumberRepository
from callroute.numbers.schemas import AvailableQuery, NumberClaim, NumberListQuery, NumberUpdate
from callroute.providers.base import AvailableNumber, NumberSearch, ProviderEnv
from callroute.providers.registry import get_provider
from callroute.routers.repository import RouterRepository
from callroute.validation import found, require_existing


class NumberService:
    def __init__(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        clock: Clock,
        env: ProviderEnv | None = None,
    ) -> None:
        """``env``: needed for numbers of connections that talk to a provider's API."""
        self.session = session
        self.repo = NumberRepository(session, project_id)
        self.connections = ConnectionRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock
        self.env = env

    async def available(self, query: AvailableQuery) -> list[AvailableNumber]:
        connection = await self._connection(query.connection_id, "connection_id")
        search = NumberSearch(
            country=query.country,
            number_type=query.type,
            contains=query.contains,
            area_code=query.area_code,
            limit=query.limit,
        )
        return await self.offered(connection, search)

    async def offered(
        self, connection: ProviderConnection, search: NumberSearch
    ) -> list[AvailableNumber]:
        """What the connection's provider offers; it asks the repository which of its
        candidates some project holds already, rather than querying itself."""
        provider = get_provider(connection.kind, self.env)
        return await provider.search_numbers(connection, search, self.repo.in_use)

    async def check_claimable(self, number: str) -> None:
        """A number has one owner across projects: one that any project holds (this one
        included) cannot be claimed again. Checked by ``claim``, and by callers that must say
        so before asking for what a claim needs (a connection, a permission)."""
        if await self.repo.in_use([number]):
            raise Conflict(f"number: {number} is already in use", field="number")

    async def claim(self, data: NumberClaim) -> PhoneNumber:
        connection = await self._connection(data.connection_id, "connection_id")
        provider = get_provider(connection.kind, self.env)
        if data.number is not None:
            await self.check_claimable(data.number)
            parsed = phonenumbers.parse(data.number, None)
            country = phonenumbers.region_code_for_number(parsed) or "ZZ"
            choice = AvailableNumber(data.number, country, data.type)
        else:
            assert data.country is not None
            offered = await self.offered(connection, NumberSearch(data.country, data.type, limit=1))
            if not offered:
                raise ValidationFailed(
                    f"country: no {data.type.value} numbers available in {data.country}; "
                    "try another type or country",
                    field="country",
                )
            choice = offered[0]
        if data.router_id is not None:
            await self._router(data.router_id)
        if data.owner_id is not None:
            await self._owner(data.owner_id)
        # Last: the provider may charge for the number, so every other check comes first.
        provisioned = await provider.provision(connection, choice, existing=data.existing)
        choice = provisioned.number
        now = self.clock.now()
        number = PhoneNumber(
            project_id=self.project_id,
            handle=await next_handle(self.session, self.project_id, HandleKind.PHONE_NUMBER),
            number=choice.number,
            connection_id=connection.id,
            country=choice.country,
            number_type=choice.number_type.value,
            capabilities=list(choice.capabilities),
            router_id=data.router_id,
            provider_sid=provisioned.provider_sid,
            owner_id=data.owner_id,
            label=data.label,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(number)
        await self.session.flush()
        return number

    async def get(self, ref: str) -> PhoneNumber:
        return await found(self.repo, ref, "phone number")

    async def page(self, query: NumberListQuery) -> PageResult[PhoneNumber]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, ref: str, data: NumberUpdate) -> PhoneNumber:
        number = await self.get(ref)
        if data.label is not None:
            number.label = data.label
        if "router_id" in data.model_fields_set:
            if data.router_id is not None:
                await self._router(data.router_id)
                if number.router_id not in (None, data.router_id):
                    raise Conflict(
                        f"{number.number} is routed by router {number.router_id}; detach it "
                        "there first",
                        field="router_id",
                    )
            number.router_id = data.router_id
        if "owner_id" in data.model_fields_set:
            if data.owner_id is not None:
                await self._owner(data.owner_id)
            number.owner_id = data.owner_id
        number.updated_at = self.clock.now()
        await self.session.flush()
        return number

    async def release(self, ref: str, *, force: bool, give_back: bool = False) -> uuid.UUID:
        """Stop routing the number; ``give_back`` also returns it to the provider."""
        number = await self.get(ref)
        if number.router_id is not None and not force:
            raise Conflict(
                f"{number.number} is routed by router {number.router_id}; "
                "repeat with ?force=true to release it anyway"
            )
        connection = await self.connections.get(number.connection_id)
        if connection is not None:
            await get_provider(connection.kind, self.env).release(
                connection, number, give_back=give_back
            )
        await self.repo.delete(number)
        return number.id

    async def _connection(self, connection_id: uuid.UUID, field: str) -> ProviderConnection:
        row = await self.connections.get(connection_id)
        if row is None:
            raise ValidationFailed(
                f"{field}: no connection {connection_id} in this project", field=field
            )
        return row

    async def _owner(self, member_id: uuid.UUID) -> None:
        await require_existing(
            MemberRepository(self.session, self.project_id), [("owner_id", member_id)], "member"
        )

    async def _router(self, router_id: uuid.UUID) -> None:
        await require_existing(
            RouterRepository(self.session, self.project_id), [("router_id", router_id)], "router"
        )
