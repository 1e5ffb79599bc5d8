"""Place a simulated inbound call: a caller dials one of the project's simulator numbers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.repository import inbound_target
from callroute.calls.runtime import Applied, CallRuntime
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import NotFound, ValidationFailed
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
    if script.hangup_after is not None:
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
    return applied
