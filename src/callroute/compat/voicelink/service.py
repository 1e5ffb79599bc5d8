"""VoiceLink routings, translated onto native routers.

A routing is a router that routes exactly one DID: its ``action`` is the inbound mode (1 a
forward to the mobile number or a ring of the DID's owner, 2 a SIP trunk, 3 a bot), its
``outbound`` part the outbound mode, ``enabled`` the status; the routing id is the router's
handle, and DIDs, bots and trunks are named by their handles too. Everything is written
through ``RouterService``, so a routing obeys every rule of the native API and is routed by
the engine like any router.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.bots.repository import BotRepository
from callroute.clock import Clock
from callroute.compat.fields import native_fields
from callroute.compat.voicelink.schemas import (
    InboundMode,
    OutboundMode,
    RoutingCreate,
    RoutingFields,
    RoutingOut,
    RoutingReplace,
)
from callroute.compat.voicelink.translation import check_fields, did_field, routing_out
from callroute.connections.repository import ConnectionRepository
from callroute.errors import Conflict, NotFound, ValidationFailed
from callroute.models import Bot, PhoneNumber, ProviderConnection, Router, SipTrunk
from callroute.numbers.repository import NumberRepository
from callroute.projects.slugs import slugify
from callroute.routers.repository import RouterRepository
from callroute.routers.schemas import RouterCreate, RouterUpdate
from callroute.routers.service import RouterService
from callroute.sip_trunks.repository import TrunkRepository

OWNER_LABEL = "Owner's mobile"


def _did_fields(data: RoutingFields) -> dict[str, str]:
    """Core errors about the router's numbers name the DID field the request used."""
    return {"phone_number_ids": did_field(data) or "did_id"}


@dataclass(frozen=True)
class Plan:
    """What a request asks for, with every id resolved to a row of the project."""

    did: PhoneNumber
    action: dict[str, Any]
    outbound: dict[str, Any]
    enabled: bool


class RoutingService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.project_id = project_id
        self.routers = RouterService(session, project_id, clock)
        self.numbers = NumberRepository(session, project_id)

    # --- the three operations ---------------------------------------------------------------

    async def create(self, data: RoutingCreate) -> RoutingOut:
        check_fields(data)
        if data.did_id is None and data.did_number is None:
            raise ValidationFailed(
                "did_id: field required (or give did_number instead)", field="did_id"
            )
        plan = await self._plan(data, None, enabled=data.status != 0)
        create = RouterCreate.model_validate(
            {
                "name": await self._free_name(plan.did.number),
                "enabled": plan.enabled,
                "phone_number_ids": [plan.did.id],
                "action": plan.action,
                "outbound": plan.outbound,
            }
        )
        with native_fields(_did_fields(data)):  # a DID another routing routes is refused here
            router = await self.routers.create(create)
        return await routing_out(self.session, self.project_id, router, plan.did)

    async def replace(self, routing_id: int, data: RoutingReplace) -> RoutingOut:
        check_fields(data)
        router, current = await self.routing(routing_id)
        plan = await self._plan(data, current, enabled=data.status == 1)
        # Sending `action` drops a menu the router may have had; its other native parts
        # (greeting, screening, hours ...) are not VoiceLink's and stay as they are.
        update = RouterUpdate.model_validate(
            {
                "enabled": plan.enabled,
                "phone_number_ids": [plan.did.id],
                "action": plan.action,
                "outbound": plan.outbound,
            }
        )
        with native_fields(_did_fields(data)):
            router = await self.routers.update(str(router.id), update)
        return await routing_out(self.session, self.project_id, router, plan.did)

    async def get(self, routing_id: int, connection_id: uuid.UUID | None) -> RoutingOut:
        router, did = await self.routing(routing_id)
        if connection_id is not None:
            connection = await self._connection_by_id(connection_id, "connection_id")
            if did.connection_id != connection.id:
                raise NotFound(
                    f"no routing {routing_id} on connection {connection_id}", field="routing_id"
                )
        return await routing_out(self.session, self.project_id, router, did)

    # --- reading ------------------------------------------------------------------------------

    async def routing(self, routing_id: int) -> tuple[Router, PhoneNumber]:
        """The router with this handle and its one DID; anything else is not a routing."""
        router = await RouterRepository(self.session, self.project_id).find_by(handle=routing_id)
        if router is None:
            raise NotFound(f"no routing {routing_id} in this project", field="routing_id")
        numbers = (await RouterRepository(self.session, self.project_id).numbers_of([router.id]))[
            router.id
        ]
        if len(numbers) != 1:
            raise NotFound(
                f"no routing {routing_id}: router {router.name!r} routes {len(numbers)} numbers, "
                "and a VoiceLink routing routes exactly one DID; edit it in /api/v1/routers",
                field="routing_id",
            )
        return router, numbers[0]

    # --- resolving a request ------------------------------------------------------------------

    async def _plan(
        self, data: RoutingFields, current: PhoneNumber | None, *, enabled: bool
    ) -> Plan:
        connection = await self._connection(data)
        did = await self._did(data) if did_field(data) else current
        assert did is not None  # create requires a DID; a routing always has one
        if connection is not None and did.connection_id != connection.id:
            raise NotFound(
                f"{did_field(data) or 'routing_id'}: DID {did.handle} ({did.number}) is not "
                f"on connection {connection.id}",
                field=did_field(data) or "routing_id",
            )
        return Plan(
            did=did,
            action=await self._inbound(data, did),
            outbound=await self._outbound(data),
            enabled=enabled,
        )

    async def _connection(self, data: RoutingFields) -> ProviderConnection | None:
        """The connection the request names; required only when it could be either of
        several active ones."""
        given = data.connection_id or data.connection_id_legacy
        field = "connection_id" if data.connection_id else "connectionId"
        legacy = data.connection_id_legacy
        if data.connection_id and legacy and data.connection_id != legacy:
            raise ValidationFailed(
                "connectionId: differs from connection_id; send one of them",
                field="connectionId",
            )
        if given is not None:
            return await self._connection_by_id(given, field)
        active = await ConnectionRepository(self.session, self.project_id).count_enabled()
        if active > 1:
            raise ValidationFailed(
                f"connection_id: field required: this project has {active} active "
                "connections; say which one the request applies to",
                field="connection_id",
            )
        return None

    async def _connection_by_id(self, connection_id: uuid.UUID, field: str) -> ProviderConnection:
        row = await ConnectionRepository(self.session, self.project_id).get(connection_id)
        if row is None:
            raise NotFound(f"{field}: no connection {connection_id} in this project", field=field)
        return row

    async def _did(self, data: RoutingFields) -> PhoneNumber:
        if data.did_id is not None:
            did = await self.numbers.find_by(handle=data.did_id)
            if did is None:
                raise NotFound(f"did_id: no DID {data.did_id} in this project", field="did_id")
            return did
        did = await self.numbers.find_by(number=data.did_number)
        if did is None:
            raise NotFound(
                f"did_number: no DID {data.did_number} in this project", field="did_number"
            )
        return did

    async def _inbound(self, data: RoutingFields, did: PhoneNumber) -> dict[str, Any]:
        mode = InboundMode(data.for_inbound_call)
        if mode is InboundMode.SIP:
            assert data.inbound_sip_trunk_id is not None
            trunk = await self._trunk(data.inbound_sip_trunk_id, "inbound_sip_trunk_id")
            return {"type": "sip", "sip_trunk_id": trunk.id}
        if mode is InboundMode.BOT:
            assert data.inbound_websocket_bot_id is not None
            bot = await self._bot(data.inbound_websocket_bot_id, "inbound_websocket_bot_id")
            return {"type": "bot", "bot_id": bot.id}
        if data.mobile_number is not None:
            return {"type": "forward", "label": "Mobile", "number": data.mobile_number}
        if did.owner_id is None:
            raise ValidationFailed(
                f"mobile_number: field required: DID {did.handle} ({did.number}) has no owner "
                "whose mobile to ring; send mobile_number, or set the number's owner_id in "
                "/api/v1/numbers",
                field="mobile_number",
            )
        # The owner's phones are read when a call arrives, so a changed mobile needs no resend.
        return {
            "type": "ring",
            "label": OWNER_LABEL,
            "target": {"type": "member", "id": did.owner_id},
        }

    async def _outbound(self, data: RoutingFields) -> dict[str, Any]:
        mode = OutboundMode(data.for_outbound_call)
        if mode is OutboundMode.SIP:
            assert data.outbound_sip_trunk_id is not None
            trunk = await self._trunk(data.outbound_sip_trunk_id, "outbound_sip_trunk_id")
            return {"mode": "sip", "sip_trunk_id": trunk.id}
        if mode is OutboundMode.BOT:
            assert data.outbound_websocket_bot_id is not None
            bot = await self._bot(data.outbound_websocket_bot_id, "outbound_websocket_bot_id")
            return {"mode": "bot", "bot_id": bot.id}
        return {"mode": "answer_only"}

    async def _trunk(self, handle: int, field: str) -> SipTrunk:
        trunk = await TrunkRepository(self.session, self.project_id).find_by(handle=handle)
        if trunk is None:
            raise NotFound(f"{field}: no SIP trunk {handle} in this project", field=field)
        return trunk

    async def _bot(self, handle: int, field: str) -> Bot:
        bot = await BotRepository(self.session, self.project_id).find_by(handle=handle)
        if bot is None:
            raise NotFound(f"{field}: no bot {handle} in this project", field=field)
        return bot

    async def _free_name(self, number: str) -> str:
        """A router name for the DID whose slug is not taken (an old routing of the same
        number may have been moved to another DID and kept its name)."""
        repo = RouterRepository(self.session, self.project_id)
        name = f"VoiceLink {number}"
        for suffix in range(2, 100):
            if await repo.by_slug(slugify(name, 200)) is None:
                return name
            name = f"VoiceLink {number} ({suffix})"
        raise Conflict(f"too many routers are named after {number}; rename some", field="did_id")
