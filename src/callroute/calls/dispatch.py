"""Carrying out a step's provider commands, with no network request inside a transaction.

A ``dispatch`` timer (armed by the step, in the step's transaction) is carried out in parts:

1. **plan**, in a short transaction holding the call's row lock: the provider says what the
   commands mean (``Provider.plan``); what needs no network (its per-call data, scheduled
   events, timeline entries) is written at once, and every request it is to make is recorded
   as an intent (``call_effects``). With no request to make, the timer is deleted here too:
   a step on the simulator costs one transaction, as before.
2. **perform**, with no transaction or lock held: each recorded request is made
   (``Provider.perform``), the requests of one step concurrently.
3. **settle**, in a short transaction holding the call's lock again: each result is stored on
   its intent (once: a result stored by another run wins), the provider says what it means for
   the call as it is *now* (``Provider.settle``), and that is written: legs' ids, refusals as
   engine events through the inbox, follow-up requests (a leg created for a call that ended
   meanwhile is hung up). The timer is deleted with the last of these transactions.

A process that dies anywhere in between leaves the timer (its lease expires) and the intents:
the next run skips the plan, and makes again only the requests whose results are missing,
telling the provider that they may have gone out already. A provider that is down raises
``ProviderUnavailable``: the results in hand are settled, the timer is tried again later.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.app_context import AppContext
from callroute.calls import inbox_repository
from callroute.calls.effect_repository import EffectRepository, Intent, intent_of
from callroute.calls.records import CallRecords
from callroute.calls.repository import lock_call
from callroute.calls.runtime import CallRuntime
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.engine.callflow.step_context import RING_TIMEOUT, RINGING_STATUSES
from callroute.errors import ProviderUnavailable
from callroute.metrics import Metrics
from callroute.models import Call, ProviderConnection
from callroute.providers.base import CallView, Effect, EffectResult, Outcome, Provider
from callroute.providers.registry import get_provider
from callroute.timers.store import TimerBatch, TimerStore, engine_key

Finish = Callable[[AsyncSession], Awaitable[bool]]
MAX_ROUNDS = 4  # settle may ask for follow-up requests; they are made in further rounds


def view_of(call: Call, provider: Provider[Any]) -> CallView[Any]:
    ringing = call.snapshot.get("ringing", {}) if call.snapshot else {}
    return CallView(
        call_id=call.id,
        project_id=call.project_id,
        connection_id=call.connection_id,
        provider_call_id=call.provider_call_id,
        direction=call.direction,
        from_number=call.from_number,
        to_number=call.to_number,
        generation=call.generation,
        state=codec.state_from_dict(call.state) if call.state else m.CallState(),
        ring_mode=m.RingMode(ringing.get("mode", "dial")),
        hold_music_url=ringing.get("hold_music_url"),
        data=provider.load(call.provider_data or {}),
    )


async def carry_out(
    ctx: AppContext, call_id: uuid.UUID, payload: dict[str, Any], now: datetime, finish: Finish
) -> None:
    """Carry out one ``dispatch`` timer (see the module's docstring)."""
    generation = int(payload["generation"])
    commands = [codec.command_from_dict(c) for c in payload["commands"]]
    async with ctx.db.unit_of_work() as session:
        call = await lock_call(session, call_id)
        if call is None:
            await finish(session)
            return
        provider = get_provider(call.provider, ctx.provider_env)
        connection = await _connection(session, call)
        recorded = await EffectRepository(session).of_step(call.id, generation)
        retried = bool(recorded)
        if recorded:  # an earlier run planned this step and may have made its requests
            intents = [intent_of(row) for row in recorded if row.status == "pending"]
        else:
            outcome = provider.plan(view_of(call, provider), generation, commands)
            intents = await apply(session, call, provider, outcome, generation, now)
        view = view_of(call, provider)
        if not intents:
            await give_ring_time(session, call, commands, now)
            await finish(session)
            return
    await _perform_and_settle(
        ctx, call_id, provider, connection, view, intents, retried, finish, commands
    )


async def _perform_and_settle(
    ctx: AppContext,
    call_id: uuid.UUID,
    provider: Provider[Any],
    connection: ProviderConnection | None,
    view: CallView[Any],
    intents: list[Intent],
    retried: bool,
    finish: Finish,
    commands: Sequence[m.Command],
) -> None:
    for _ in range(MAX_ROUNDS):
        results = await asyncio.gather(
            *(_perform(provider, connection, view, intent, retried) for intent in intents),
            return_exceptions=True,
        )
        failure = next((r for r in results if isinstance(r, BaseException)), None)
        _count(ctx.metrics, provider.kind, intents, results)
        async with ctx.db.unit_of_work() as session:
            now = ctx.clock.now()
            call = await lock_call(session, call_id)
            if call is None:
                await finish(session)
                return
            effects = EffectRepository(session)
            follow_ups: list[Intent] = []
            for intent, result in zip(intents, results, strict=True):
                if isinstance(result, BaseException):
                    continue
                if not await effects.complete(intent.id, result.to_dict(), now):
                    continue  # settled by another run already
                effect = Effect(intent.key, intent.kind, intent.params, intent.created_at)
                outcome = provider.settle(view_of(call, provider), effect, result)
                generation = int(intent.key.split(":", 1)[0])
                follow_ups += await apply(session, call, provider, outcome, generation, now)
            view = view_of(call, provider)
            if failure is None and not follow_ups:
                await give_ring_time(session, call, commands, now)
                await finish(session)
        if failure is not None:
            raise failure
        if not follow_ups:
            return
        intents, retried = follow_ups, False
    raise RuntimeError(f"the provider asked for more than {MAX_ROUNDS} rounds of requests")


async def give_ring_time(
    session: AsyncSession, call: Call, commands: Sequence[m.Command], now: datetime
) -> None:
    """A responder gets the ring time from when their phone is dialled, not from when the
    engine decided to ring it: when this dispatch ran late (a backlog of timers), the ring
    timeout the step armed is moved to ``now`` (the commands are in the provider's hands) plus
    the level's ring time. Only the ring timeout moves: the deadline and the level delays keep
    their meaning for the caller."""
    rings = [c for c in commands if isinstance(c, m.RingLegs)]
    if not rings or not call.state:
        return
    state = codec.state_from_dict(call.state)
    token = next((token for kind, token in state.armed if kind == RING_TIMEOUT), None)
    if token is None:
        return
    still_ringing = {leg.leg_id for leg in state.legs if leg.status in RINGING_STATUSES}
    timeouts = [r.timeout_seconds for r in rings if still_ringing & {leg.leg_id for leg in r.legs}]
    if timeouts:
        due = now + timedelta(seconds=max(timeouts))
        await TimerStore(session).postpone(call.id, engine_key(call.id, RING_TIMEOUT, token), due)


def _count(
    metrics: Metrics,
    provider: str,
    intents: Sequence[Intent],
    results: Sequence[EffectResult | BaseException],
) -> None:
    """Requests made, as they are made (a request that went out counts even if the result
    is never settled: the provider saw it)."""
    for intent, result in zip(intents, results, strict=True):
        if isinstance(result, EffectResult):
            outcome = "ok" if result.ok else "error"
            if not result.ok:
                metrics.provider_errors.labels(provider, result.code or "unknown").inc()
        else:
            outcome = "unavailable" if isinstance(result, ProviderUnavailable) else "error"
        metrics.provider_requests.labels(provider, intent.kind, outcome).inc()


async def _perform(
    provider: Provider[Any],
    connection: ProviderConnection | None,
    view: CallView[Any],
    intent: Intent,
    retried: bool,
) -> EffectResult:
    if connection is None:
        return EffectResult(False, code="no_connection", message="the call has no connection")
    effect = Effect(intent.key, intent.kind, intent.params, recorded_at=intent.created_at)
    return await provider.perform(connection, view, effect, retried=retried)


async def _connection(session: AsyncSession, call: Call) -> ProviderConnection | None:
    if call.connection_id is None:
        return None
    return await session.get(ProviderConnection, call.connection_id)


async def apply(
    session: AsyncSession,
    call: Call,
    provider: Provider[Any],
    outcome: Outcome[Any],
    generation: int,
    now: datetime,
) -> list[Intent]:
    """Write what the provider decided, under the call's lock; returns the requests it
    recorded, still to be made."""
    if outcome.data is not None:
        call.provider_data = provider.dump(outcome.data)
    records = CallRecords(session, call)
    if outcome.leg_refs or outcome.prices:
        await records.provider_facts(outcome.leg_refs, outcome.prices)
    if outcome.timeline:
        await records.append(now, outcome.timeline)
        await records.write()
    if outcome.cancel_events_of_legs:
        await TimerStore(session).drop_matching(
            call.id, "provider_event", "leg_id", outcome.cancel_events_of_legs
        )
    batch = TimerBatch()
    for task in outcome.tasks:
        batch.arm(
            "provider_task",
            now + timedelta(seconds=task.after_seconds),
            now,
            call_id=call.id,
            payload={**task.payload, "provider": call.provider},
            dedupe_key=f"task:{call.id}:{task.key}",
        )
    for scheduled in outcome.events:
        if scheduled.after_seconds > 0:
            payload: dict[str, Any] = {
                "event": codec.event_to_dict(scheduled.event),
                "event_id": scheduled.event_id,
                "provider": call.provider,
            }
            if scheduled.leg_id is not None:
                payload["leg_id"] = scheduled.leg_id
            batch.arm(
                "provider_event",
                now + timedelta(seconds=scheduled.after_seconds),
                now,
                call_id=call.id,
                payload=payload,
                dedupe_key=scheduled.event_id,
            )
    await batch.write(session)
    intents = await EffectRepository(session).record(
        call, generation, [(e.key, e.kind, e.params) for e in outcome.effects], now
    )
    await apply_events(
        session, call, [(e.event_id, e.event) for e in outcome.events if e.after_seconds <= 0], now
    )
    return intents


async def apply_events(
    session: AsyncSession, call: Call, keyed: Sequence[tuple[str, m.Event]], now: datetime
) -> None:
    """Events that happened now, each stepped once (the inbox keeps the first)."""
    if not keyed:
        return
    runtime = CallRuntime(session)
    for event_id, event in keyed:
        if await inbox_repository.accept(session, call.provider, event_id, call.id, now):
            await runtime.apply(call, event, now)


async def run_task(
    ctx: AppContext, call_id: uuid.UUID, task: dict[str, Any], now: datetime, finish: Finish
) -> None:
    """Carry out a ``provider_task`` timer: read, the provider's network, write."""
    async with ctx.db.unit_of_work(readonly=True) as session:
        call = await session.get(Call, call_id)
        if call is None:
            provider, view, connection = None, None, None
        else:
            provider = get_provider(call.provider, ctx.provider_env)
            view = view_of(call, provider)
            connection = await _connection(session, call)
    outcome = None
    if provider is not None and view is not None and connection is not None:
        outcome = await provider.run_task(connection, view, task)
    async with ctx.db.unit_of_work() as session:
        call = await lock_call(session, call_id)
        if call is not None and provider is not None and outcome is not None:
            await apply(session, call, provider, outcome, call.generation, ctx.clock.now())
        await finish(session)
