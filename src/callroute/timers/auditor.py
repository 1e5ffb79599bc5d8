"""The auditor: every active call must have pending work. One that has none (a bug, or rows
lost to an operator's hand) is woken through the timers it should have armed, or ended as
failed if it armed none."""

from __future__ import annotations

from datetime import datetime

import structlog

from callroute.app_context import AppContext
from callroute.calls.runtime import CallRuntime
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.timers.store import TimerStore, engine_key

log = structlog.get_logger(__name__)

# Timers that move a call on (a webhook delivery about the call does not).
CALL_WORK = ("engine", "dispatch", "provider_event")
FINAL = tuple(
    s.value
    for s in (
        m.CallStatus.COMPLETED,
        m.CallStatus.MISSED,
        m.CallStatus.VOICEMAIL,
        m.CallStatus.REJECTED,
        m.CallStatus.FAILED,
    )
)


async def audit(ctx: AppContext, now: datetime, limit: int = 100) -> int:
    async with ctx.db.unit_of_work() as session:
        stuck = await TimerStore(session).calls_without_work(CALL_WORK, final=FINAL, limit=limit)
        for call in stuck:
            state = codec.state_from_dict(call.state) if call.state else None
            if state is None or state.phase == m.Phase.ENDED:
                continue
            log.warning("call_without_pending_work", call_id=str(call.id), phase=state.phase.value)
            if state.armed:
                for kind, token in state.armed:
                    await TimerStore(session).arm(
                        "engine",
                        now,
                        now,
                        call_id=call.id,
                        payload={"kind": kind, "token": token},
                        dedupe_key=engine_key(call.id, kind, token),
                    )
            else:
                await CallRuntime(session).apply(
                    call, m.ProviderError("no pending work; ended by the auditor"), now
                )
    return len(stuck)
