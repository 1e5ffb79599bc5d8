"""Placing a call from one of the project's numbers: the number's router says, in its
``outbound`` part, what the call is connected to once the other party answers.

The call is recorded like any other (direction ``outbound``) and runs through the same engine
step, timers and dispatch as an inbound call; only its first event differs (``CallPlaced``
instead of ``CallArrived``). A number that cannot place calls — no router, a disabled router
or connection, no outbound mode — is refused before anything is dialled or recorded.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.runtime import Applied, CallRuntime, call_summary
from callroute.calls.snapshot import prepared_action
from callroute.contacts.repository import caller
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import Conflict
from callroute.models import Call, PhoneNumber, ProviderConnection, Router
from callroute.outgoing_webhooks import delivery as webhooks
from callroute.routers.schemas import ActionIn, OutboundIn, RouterConfig


class OutboundCalls:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    async def place(
        self,
        *,
        number: PhoneNumber,
        to_number: str,
        provider_call_id: str,
        now: datetime,
        provider_data: dict[str, Any] | None = None,
        field: str = "from",
    ) -> Applied:
        """Record the call and run its first step (which asks the provider to dial)."""
        connection = await self.session.get(ProviderConnection, number.connection_id)
        router = await self.session.get(Router, number.router_id) if number.router_id else None
        config = RouterConfig.model_validate(router.config) if router is not None else None
        if connection is None or not connection.enabled:
            raise Conflict(f"{field}: the connection of {number.number} is disabled", field=field)
        if router is None or config is None:
            raise Conflict(
                f"{field}: {number.number} has no router, so it has no outbound mode", field=field
            )
        if not router.enabled:
            raise Conflict(f"{field}: router {router.name!r} is disabled", field=field)
        if config.outbound is None:
            raise Conflict(
                f"{field}: router {router.name!r} has no outbound mode; set its `outbound`",
                field=field,
            )
        snapshot, contact_id = await self._snapshot(
            router, config, config.outbound, number.number, to_number, now
        )
        call = Call(
            project_id=self.project_id,
            direction="outbound",
            from_number=number.number,
            to_number=to_number,
            router_id=router.id,
            connection_id=number.connection_id,
            provider=connection.kind,
            provider_call_id=provider_call_id,
            status=m.CallStatus.RINGING.value,
            contact_id=contact_id,
            started_at=now,
            snapshot=codec.snapshot_to_dict(snapshot),
            state=codec.state_to_dict(m.CallState()),
            generation=0,
            provider_data=provider_data or {},
            updated_at=now,
        )
        self.session.add(call)
        await self.session.flush()
        subscriptions = await webhooks.subscriptions_of(self.session, self.project_id)
        await webhooks.enqueue(
            self.session, self.project_id, "call.started", call_summary(call), now, subscriptions
        )
        return await CallRuntime(self.session).apply(call, m.CallPlaced(), now)

    async def _snapshot(
        self,
        router: Router,
        config: RouterConfig,
        outbound: OutboundIn,
        from_number: str,
        to_number: str,
        now: datetime,
    ) -> tuple[m.Snapshot, uuid.UUID | None]:
        connect = None
        if outbound.mode is m.OutboundMode.SIP:
            action = ActionIn(type=m.ActionKind.SIP, sip_trunk_id=outbound.sip_trunk_id)
            connect = await prepared_action(self.session, self.project_id, action, config, now)
        elif outbound.mode is m.OutboundMode.BOT:
            action = ActionIn(type=m.ActionKind.BOT, bot_id=outbound.bot_id)
            connect = await prepared_action(self.session, self.project_id, action, config, now)
        contact = await caller(self.session, self.project_id, to_number)
        snapshot = m.Snapshot(
            router_id=str(router.id),
            router_name=router.name,
            router_number=from_number,
            caller=to_number,
            caller_name=contact.name if contact else None,
            caller_labels=tuple(contact.labels) if contact else (),
            ringing=m.Ringing(caller_id=config.ringing.caller_id),
            # Alerts are for calls that come in; a call we place raises none.
            alert=m.AlertSettings(enabled=False),
            outbound=m.Outbound(outbound.mode, connect, outbound.ring_timeout_seconds),
        )
        return snapshot, contact.id if contact else None
