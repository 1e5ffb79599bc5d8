"""The call runtime: one engine step per event, persisted in one transaction.

``apply`` runs the pure engine under the call's row lock and writes, in the same transaction:
the new state, the legs, the timeline, the alert, the engine's timers, one ``dispatch`` timer
carrying the provider commands (carried out only after commit, by ``Runner``), and the
outgoing webhook deliveries. A process may die at any line: either all of it is committed or
none, and the timers table says what is left to do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.alerts.service import AlertLifecycle
from callroute.calls.records import CallRecords
from callroute.calls.snapshot import SnapshotBuilder
from callroute.db.dialect import dialect_of
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.engine.callflow.machine import step
from callroute.models import Call, PhoneNumber, ProviderConnection, Router
from callroute.timers.store import TimerStore, engine_key
from callroute.webhooks import delivery as webhooks

_INTERNAL = (m.RaiseAlert, m.AcknowledgeAlert, m.ResolveAlert, m.AttachToAlert)
UNAVAILABLE_MESSAGE = m.Prompt("This line is not available at the moment. Goodbye.")


@dataclass(frozen=True)
class Applied:
    call: Call
    transition: m.Transition
    provider_commands: tuple[m.Command, ...]


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


class CallRuntime:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._subscriptions: dict[uuid.UUID, list[Any]] = {}

    async def _notify(
        self, call: Call, event_type: str, data: dict[str, Any], now: datetime
    ) -> None:
        """Queue an outgoing webhook event; subscriptions are read once per transaction."""
        if call.project_id not in self._subscriptions:
            self._subscriptions[call.project_id] = await webhooks.subscriptions_of(
                self.session, call.project_id
            )
        await webhooks.enqueue(
            self.session,
            call.project_id,
            event_type,
            data,
            now,
            self._subscriptions[call.project_id],
        )

    # -- a new call ---------------------------------------------------------------------------

    async def start_inbound(
        self,
        *,
        to_number: str,
        from_number: str,
        provider: str,
        provider_call_id: str,
        now: datetime,
        provider_data: dict[str, Any] | None = None,
        number: PhoneNumber | None = None,
    ) -> Applied | None:
        """Identify the router of the dialled number and run the call's first step.

        None means the number is not ours at all: the caller should hear
        that it is not in service (there is no project to keep a record in). A retried start
        (same provider call id) returns the call that exists, stepping nothing twice.
        """
        if number is None:  # the caller may have found it already
            number = await self.session.scalar(
                select(PhoneNumber).where(PhoneNumber.number == to_number)
            )
        if number is None:
            return None
        existing = await self.session.scalar(
            select(Call).where(
                Call.connection_id == number.connection_id,
                Call.provider_call_id == provider_call_id,
            )
        )
        if existing is not None:
            return Applied(existing, m.Transition(codec.state_from_dict(existing.state)), ())
        connection = await self.session.get(ProviderConnection, number.connection_id)
        router = await self.session.get(Router, number.router_id) if number.router_id else None
        call = Call(
            project_id=number.project_id,
            direction="inbound",
            from_number=from_number,
            to_number=to_number,
            router_id=router.id if router else None,
            connection_id=number.connection_id,
            provider=provider,
            provider_call_id=provider_call_id,
            status=m.CallStatus.RINGING.value,
            started_at=now,
            snapshot={},
            state={},
            generation=0,
            provider_data=provider_data or {},
            updated_at=now,
        )
        if connection is None or not connection.enabled or router is None or not router.enabled:
            reason = (
                "no router answers this number"
                if router is None
                else "the router is disabled"
                if not router.enabled
                else "the provider connection is disabled"
            )
            return await self._refuse(call, reason, now)
        snapshot, call.contact_id = await SnapshotBuilder(self.session, number.project_id).build(
            router, to_number, from_number, now
        )
        call.snapshot = codec.snapshot_to_dict(snapshot)
        call.state = codec.state_to_dict(m.CallState())
        self.session.add(call)
        await self.session.flush()
        await self._notify(call, "call.started", call_summary(call), now)
        return await self.apply(call, m.CallArrived(), now)

    async def _refuse(self, call: Call, reason: str, now: datetime) -> Applied:
        state = m.CallState(
            phase=m.Phase.ENDED,
            status=m.CallStatus.FAILED,
            reason=reason,
            started_at=now,
            ended_at=now,
        )
        call.status, call.reason, call.ended_at = state.status.value, reason, now
        call.state = codec.state_to_dict(state)
        self.session.add(call)
        await self.session.flush()
        commands: tuple[m.Command, ...] = (m.Say(UNAVAILABLE_MESSAGE), m.Hangup(reason))
        await CallRecords(self.session, call).append(
            now,
            [
                ("call_refused", {"reason": reason}),
                *[("command", codec.command_to_dict(c)) for c in commands],
            ],
        )
        await self._notify(call, "call.ended", call_summary(call), now)
        transition = m.Transition(state, commands)
        await self._dispatch(call, commands, now)
        return Applied(call, transition, commands)

    # -- every event --------------------------------------------------------------------------

    async def handle(self, call_id: uuid.UUID, event: m.Event, now: datetime) -> Applied | None:
        """Lock the call, step it, persist. None when the call does not exist."""
        call = await lock_call(self.session, call_id)
        if call is None:
            return None
        return await self.apply(call, event, now)

    async def apply(self, call: Call, event: m.Event, now: datetime) -> Applied:
        if not call.snapshot:  # refused at the door: nothing to step
            return Applied(call, m.Transition(codec.state_from_dict(call.state)), ())
        snapshot = codec.snapshot_from_dict(call.snapshot)
        before = codec.state_from_dict(call.state)
        transition = step(snapshot, before, event, now)
        after = transition.state
        if after == before and not transition.commands and not transition.notes:
            return Applied(call, transition, ())  # a stale timer or an ignored duplicate
        call.generation += 1
        call.state = codec.state_to_dict(after)
        call.status, call.reason, call.updated_at = after.status.value, after.reason, now
        call.answered_at = after.answered_at
        call.ended_at = after.ended_at
        call.answered_by_id = _uuid(after.answered_by)
        records = CallRecords(self.session, call)
        if after.legs != before.legs:
            await records.sync_legs(after.legs, now)
        provider_commands = tuple(c for c in transition.commands if not isinstance(c, _INTERNAL))
        await records.append(
            now,
            [
                ("event", codec.event_to_dict(event)),
                *[(note.kind, dict(note.detail)) for note in transition.notes],
                *[("command", codec.command_to_dict(c)) for c in provider_commands],
            ],
        )
        await self._recordings(records, event, now)
        await self._alerts(call, transition.commands, now)
        await self._timers(call, before, transition, now)
        await self._dispatch(call, provider_commands, now)
        await self._status_webhooks(call, before, after, event, now)
        if after.phase == m.Phase.ENDED and before.phase != m.Phase.ENDED:
            await records.finish_legs(now)
        return Applied(call, transition, provider_commands)

    async def _recordings(self, records: CallRecords, event: m.Event, now: datetime) -> None:
        if isinstance(event, m.RecordingReady) and event.duration_seconds > 0:
            await records.add_recording(event.url, event.duration_seconds, now)
        elif isinstance(event, m.TranscriptReady):
            await records.add_transcript(event.text)

    async def _timers(
        self, call: Call, before: m.CallState, transition: m.Transition, now: datetime
    ) -> None:
        store = TimerStore(self.session)
        for timer in transition.timers:
            await store.arm(
                "engine",
                timer.due_at,
                now,
                call_id=call.id,
                payload={"kind": timer.kind, "token": timer.token},
                dedupe_key=engine_key(call.id, timer.kind, timer.token),
            )
        # Timers the engine stopped expecting would fire as no-ops; delete them now instead.
        if set(before.armed) - set(transition.state.armed):
            armed = [engine_key(call.id, kind, token) for kind, token in transition.state.armed]
            await store.drop_for_call(call.id, "engine", keep_keys=armed)

    async def _dispatch(self, call: Call, commands: tuple[m.Command, ...], now: datetime) -> None:
        if not commands:
            return
        await TimerStore(self.session).arm(
            "dispatch",
            now,
            now,
            call_id=call.id,
            payload={
                "generation": call.generation,
                "commands": [codec.command_to_dict(c) for c in commands],
            },
            dedupe_key=f"dispatch:{call.id}:{call.generation}",
        )

    async def _alerts(self, call: Call, commands: tuple[m.Command, ...], now: datetime) -> None:
        alert_commands = [c for c in commands if isinstance(c, _INTERNAL)]
        if not alert_commands:
            return
        lifecycle = AlertLifecycle(self.session, call.project_id)
        alert = await lifecycle.for_call(call.id)
        for command in alert_commands:
            if isinstance(command, m.RaiseAlert):
                alert, new = await lifecycle.raise_for_call(
                    call.id,
                    call.router_id,
                    command.summary,
                    command.urgency,
                    command.target_type,
                    command.target_id,
                    now,
                    existing=alert,
                )
                if new:
                    await self._notify(call, "alert.triggered", alert_summary(alert), now)
            elif alert is None:
                continue
            elif isinstance(command, m.AcknowledgeAlert):
                if lifecycle.acknowledge(alert, _uuid(command.member_id), now):
                    await self._notify(
                        call,
                        "alert.acknowledged",
                        alert_summary(alert),
                        now,
                    )
            elif isinstance(command, m.ResolveAlert):
                if lifecycle.resolve(alert, command.reason, now):
                    await self._notify(call, "alert.resolved", alert_summary(alert), now)
            elif isinstance(command, m.AttachToAlert):
                alert.recording_url = command.recording_url or alert.recording_url
                alert.transcript = command.transcript or alert.transcript
                alert.updated_at = now

    async def _status_webhooks(
        self, call: Call, before: m.CallState, after: m.CallState, event: m.Event, now: datetime
    ) -> None:
        events = []
        if after.status == m.CallStatus.ANSWERED and before.status != m.CallStatus.ANSWERED:
            events.append("call.answered")
        if isinstance(event, m.RecordingReady) and event.duration_seconds > 0:
            events.append("voicemail.received")
        if after.phase == m.Phase.ENDED and before.phase != m.Phase.ENDED:
            events.append("call.ended")
        for event_type in events:
            await self._notify(call, event_type, call_summary(call), now)


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


def call_summary(call: Call) -> dict[str, Any]:
    return {
        "call_id": str(call.id),
        "direction": call.direction,
        "router_id": str(call.router_id) if call.router_id else None,
        "from": call.from_number,
        "to": call.to_number,
        "status": call.status,
        "reason": call.reason,
        "answered_by": str(call.answered_by_id) if call.answered_by_id else None,
        "started_at": call.started_at.isoformat(),
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
    }


def alert_summary(alert: Any) -> dict[str, Any]:
    return {
        "alert_id": str(alert.id),
        "call_id": str(alert.call_id) if alert.call_id else None,
        "summary": alert.summary,
        "status": alert.status,
        "urgency": alert.urgency,
        "acknowledged_by": str(alert.acknowledged_by_id) if alert.acknowledged_by_id else None,
        "recording_url": alert.recording_url,
        "transcript": alert.transcript,
    }
