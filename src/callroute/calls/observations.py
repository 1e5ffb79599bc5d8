"""What a call's step means for the call-level metrics (see callroute/metrics.py).

Read off the state before and after the step, and counted once the step's transaction has
committed: a step that rolls back and runs again is counted once, and a repeated event that
changes nothing counts nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute import metrics as measured
from callroute.calls.repository import first_leg_started_at
from callroute.engine.callflow import model as m
from callroute.metrics import Metrics, Observation
from callroute.models import Call

# A leg in one of these states has not rung (yet): the first leg to ring after them is the
# call's first ring.
_NOT_RUNG = {m.LegStatus.DIALING, m.LegStatus.FAILED, m.LegStatus.BUSY, m.LegStatus.CANCELED}
_RUNG = {m.LegStatus.RINGING, m.LegStatus.ANSWERED, m.LegStatus.ACCEPTED}
# A caller who hangs up in these phases was waiting for someone to answer.
_WAITING = {m.Phase.RINGING, m.Phase.LEVEL_PAUSE}
_ENDED_OUTCOMES = {
    m.CallStatus.COMPLETED,
    m.CallStatus.MISSED,
    m.CallStatus.VOICEMAIL,
    m.CallStatus.REJECTED,
    m.CallStatus.FAILED,
}


async def observe_step(
    session: AsyncSession,
    call: Call,
    before: m.CallState,
    after: m.CallState,
    event: m.Event | None,
    now: datetime,
    *,
    fresh: bool,
) -> None:
    if measured.of(session) is None:
        return
    router, provider = str(call.router_id) if call.router_id else "none", call.provider
    seen: list[Observation] = []
    if fresh or isinstance(event, m.CallPlaced):  # an inbound call's first step, or outbound
        seen.append(lambda x: x.calls_started.labels(router, provider).inc())
    answered = after.status == m.CallStatus.ANSWERED and before.status != m.CallStatus.ANSWERED
    if answered and after.answered_at is not None and call.started_at is not None:
        waited = max(0.0, (after.answered_at - call.started_at).total_seconds())
        seen.append(lambda x: x.answer_seconds.labels(router, provider).observe(waited))
    if after.phase == m.Phase.ENDED and before.phase != m.Phase.ENDED:
        outcome = after.status.value if after.status in _ENDED_OUTCOMES else "failed"
        seen.append(lambda x: x.calls_ended.labels(router, provider, outcome).inc())
        if isinstance(event, m.CallerHungUp) and before.phase in _WAITING:
            seen.append(lambda x: x.callers_abandoned.labels(router, provider).inc())
    seen += _legs(before, after, provider)
    if _first_ring(before, after):
        decided = await first_leg_started_at(session, call.id)
        if decided is not None:
            waited = max(0.0, (now - decided).total_seconds())
            seen.append(lambda x: x.first_ring_seconds.labels(router, provider).observe(waited))
    measured.after_commit(session, seen)


def observe_refused(session: AsyncSession, call: Call) -> None:
    """A call turned away at the door (no router, router or connection disabled)."""
    router, provider = str(call.router_id) if call.router_id else "none", call.provider

    def seen(x: Metrics) -> None:
        x.calls_started.labels(router, provider).inc()
        x.calls_ended.labels(router, provider, m.CallStatus.FAILED.value).inc()

    measured.after_commit(session, [seen])


def _legs(before: m.CallState, after: m.CallState, provider: str) -> list[Observation]:
    was = {leg.leg_id: leg.status for leg in before.legs}
    seen: list[Observation] = []
    for leg in after.legs:
        if leg.status.finished and was.get(leg.leg_id) != leg.status:
            seen.append(_leg_ended(provider, leg.status.value))
    return seen


def _leg_ended(provider: str, outcome: str) -> Observation:
    return lambda x: x.legs_ended.labels(provider, outcome).inc()


def _first_ring(before: m.CallState, after: m.CallState) -> bool:
    if not after.legs or any(leg.status not in _NOT_RUNG for leg in before.legs):
        return False
    return any(leg.status in _RUNG for leg in after.legs)
