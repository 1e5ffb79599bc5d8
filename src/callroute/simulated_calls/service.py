"""Simulated calls: a caller dials one of the project's simulator numbers (inbound), or one of
them dials out to any number (outbound)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.outbound import OutboundCalls
from callroute.calls.repository import inbound_target
from callroute.calls.runtime import Applied, CallRuntime
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import NotFound, ValidationFailed
from callroute.models import ProviderConnection
from callroute.numbers.repository import NumberRepository
from callroute.providers.simulator.provider import PROVIDER
from callroute.providers.simulator.script import Script
from callroute.timers.store import TimerStore


async def place_call(
    session: AsyncSession,
    *,
    to_number: str,
    from_number: str,
    script: Script,
    now: datetime,
    project_id: uuid.UUID | None = None,
) -> Applied:
    provider_call_id = f"SIM{uuid.uuid4().hex}"
    target = await inbound_target(session, to_number, provider_call_id)
    if target is None or (project_id is not None and target.project_id != project_id):
        raise NotFound(f"no phone number {to_number} in this project", field="to")
    if target.connection_kind != PROVIDER:
        raise ValidationFailed(f"to: {to_number} is not a simulator number", field="to")
    applied = await CallRuntime(session).start_inbound(
        to_number=to_number,
        from_number=from_number,
        provider=PROVIDER,
        provider_call_id=provider_call_id,
        now=now,
        provider_data={"script": script.to_dict()},
        target=target,
    )
    assert applied is not None
    await _hang_up_later(session, applied, script, now)
    return applied


async def place_outbound_call(
    session: AsyncSession,
    *,
    from_number: str,
    to_number: str,
    script: Script,
    now: datetime,
    project_id: uuid.UUID,
) -> Applied:
    """One of the project's simulator numbers calls ``to_number``; the script says how the
    called phone (and any SIP trunk it is connected to) behaves."""
    number = await NumberRepository(session, project_id).by_number(from_number)
    if number is None:
        raise NotFound(f"no phone number {from_number} in this project", field="from")
    connection = await session.get(ProviderConnection, number.connection_id)
    if connection is None or connection.kind != PROVIDER:
        raise ValidationFailed(f"from: {from_number} is not a simulator number", field="from")
    applied = await OutboundCalls(session, project_id).place(
        number=number,
        to_number=to_number,
        provider_call_id=f"SIM{uuid.uuid4().hex}",
        now=now,
        provider_data={"script": script.to_dict()},
    )
    await _hang_up_later(session, applied, script, now)
    return applied


async def _hang_up_later(
    session: AsyncSession, applied: Applied, script: Script, now: datetime
) -> None:
    """The other party hangs up ``script.hangup_after`` seconds into the call."""
    if script.hangup_after is None:
        return
    event_id = f"sim:{applied.call.id}:hangup"
    await TimerStore(session).arm(
        "provider_event",
        now + timedelta(seconds=script.hangup_after),
        now,
        call_id=applied.call.id,
        dedupe_key=event_id,
        payload={
            "event": codec.event_to_dict(m.CallerHungUp()),
            "event_id": event_id,
            "provider": PROVIDER,
        },
    )
