"""The call runtime: one engine step per event, persisted in one transaction.

``apply`` runs the pure engine under the call's row lock and writes, in the same transaction:
the new state, the legs, the timeline, the alert, the engine's timers, one ``dispatch`` timer
carrying the provider commands (carried out only after commit, by ``Runner``), and the
outgoing webhook deliveries. A process may die at any line: either all of it is committed or
none, and the timers table says what is left to do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.alerts.service import AlertLifecycle, alert_summary
from callroute.calls import config_cache
from callroute.calls.observations import observe_refused, observe_step
from callroute.calls.records import CallRecords
from callroute.calls.repository import InboundTarget, inbound_target, lock_call
from callroute.calls.snapshot import build_snapshot
from callroute.contacts.repository import caller
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.engine.callflow.machine import step
from callroute.ids import new_id
from callroute.models import Call
from callroute.outgoing_webhooks import delivery as webhooks
from callroute.timers.store import TimerBatch, TimerStore, engine_key

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


StepHook = Callable[[Call, m.Transition, tuple[m.Command, ...]], None]


class CallRuntime:
    def __init__(self, session: AsyncSession, *, on_step: StepHook | None = None) -> None:
        """``on_step`` sees each step before it is written: a provider that answers the
        step's commands in its webhook response records there what it answered."""
        self.session = session
        self.on_step = on_step
        self._subscriptions: dict[uuid.UUID, list[webhooks.Subscriber]] = {}
        # Timers armed while a step is applied, written by one INSERT at its end.
        self._batch = TimerBatch()

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
            timers=self._batch,
            call_id=call.id,
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
        target: InboundTarget | None = None,
    ) -> Applied | None:
        """Identify the router of the dialled number and run the call's first step.

        None means the number is not ours at all: the caller should hear
        that it is not in service (there is no project to keep a record in). A retried start
        (same provider call id) returns the call that exists, stepping nothing twice.
        ``target``: the caller looked the number up already (with the same provider call id).
        """
        if target is None:
            target = await inbound_target(self.session, to_number, provider_call_id)
        if target is None:
            return None
        if target.existing_call_id is not None:
            existing = await self.session.get(Call, target.existing_call_id)
            assert existing is not None
            return Applied(existing, m.Transition(codec.state_from_dict(existing.state)), ())
        call = Call(
            id=new_id(),
            project_id=target.project_id,
            direction="inbound",
            from_number=from_number,
            to_number=to_number,
            router_id=target.router_id,
            connection_id=target.connection_id,
            provider=provider,
            provider_call_id=provider_call_id,
            status=m.CallStatus.RINGING.value,
            started_at=now,
            snapshot={},
            state={},
            generation=0,
            event_count=0,
            provider_data=provider_data or {},
            updated_at=now,
        )
        # Before any refusal: a refused call from a known contact is still a call from them,
        # for whoever follows it up. One indexed read, the one an answered call needs anyway.
        contact = await caller(self.session, target.project_id, from_number)
        call.contact_id = contact.id if contact else None
        source = None
        if target.router_id is not None and target.router_enabled:
            source = await config_cache.router_source(
                self.session, target.project_id, target.router_id, target.revision, now
            )
        if source is None or not target.connection_enabled:
            if target.router_id is None or (target.router_enabled and source is None):
                reason = "no router answers this number"
            elif not target.router_enabled:
                reason = "the router is disabled"
            else:
                reason = "the provider connection is disabled"
            return await self._refuse(call, reason, now)
        snapshot = build_snapshot(source, to_number, from_number, contact, now)
        call.snapshot = codec.snapshot_to_dict(snapshot)
        call.state = codec.state_to_dict(m.CallState())
        self._subscriptions[call.project_id] = list(
            await config_cache.subscribers(self.session, call.project_id, target.revision)
        )
        await self._notify(call, "call.started", call_summary(call), now)
        return await self.apply(call, m.CallArrived(), now, fresh=True, snapshot=snapshot)

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
        commands: tuple[m.Command, ...] = (m.Say(UNAVAILABLE_MESSAGE), m.Hangup(reason))
        records = CallRecords(self.session, call, new=True)
        await records.append(
            now,
            [
                ("call_refused", {"reason": reason}),
                *[("command", codec.command_to_dict(c)) for c in commands],
            ],
        )
        transition = m.Transition(state, commands)
        if self.on_step is not None:
            self.on_step(call, transition, commands)
        await records.write()
        await self._notify(call, "call.ended", call_summary(call), now)
        observe_refused(self.session, call)
        self._dispatch(call, commands, now)
        await self._batch.write(self.session)
        return Applied(call, transition, commands)

    # -- every event --------------------------------------------------------------------------

    async def handle(self, call_id: uuid.UUID, event: m.Event, now: datetime) -> Applied | None:
        """Lock the call, step it, persist. None when the call does not exist."""
        call = await lock_call(self.session, call_id)
        if call is None:
            return None
        return await self.apply(call, event, now)

    async def apply(
        self,
        call: Call,
        event: m.Event,
        now: datetime,
        *,
        fresh: bool = False,
        snapshot: m.Snapshot | None = None,
    ) -> Applied:
        """Step the call and write what the step did. ``fresh``: the call is new, built by
        :meth:`start_inbound` and not written yet; this first step writes it, complete."""
        if not call.snapshot:  # refused at the door: nothing to step
            return Applied(call, m.Transition(codec.state_from_dict(call.state)), ())
        # A new call's snapshot is at hand already: no need to decode what was just encoded.
        snapshot = snapshot or codec.snapshot_from_dict(call.snapshot)
        before = m.CallState() if fresh else codec.state_from_dict(call.state)
        transition = step(snapshot, before, event, now)
        after = transition.state
        # A stale timer or an ignored duplicate changes nothing; a new call is still written
        # (its row exists only once its first step has been).
        if after == before and not transition.commands and not transition.notes and not fresh:
            return Applied(call, transition, ())
        call.generation += 1
        call.state = codec.state_to_dict(after)
        call.status, call.reason, call.updated_at = after.status.value, after.reason, now
        call.answered_at = after.answered_at
        call.ended_at = after.ended_at
        call.answered_by_id = _uuid(after.answered_by)
        records = CallRecords(self.session, call, new=fresh)
        provider_commands = tuple(c for c in transition.commands if not isinstance(c, _INTERNAL))
        await records.append(
            now,
            [
                ("event", codec.event_to_dict(event)),
                *[(note.kind, dict(note.detail)) for note in transition.notes],
                *[("command", codec.command_to_dict(c)) for c in provider_commands],
            ],
        )
        if after.legs != before.legs:
            await records.sync_legs(after.legs, now)
        await self._recordings(records, event, now)
        await self._alerts(call, records, transition.commands, now, fresh=fresh)
        await self._timers(call, before, transition, now)
        self._dispatch(call, provider_commands, now)
        await self._status_webhooks(call, before, after, event, now)
        if self.on_step is not None:
            self.on_step(call, transition, provider_commands)
        await records.write()
        if after.phase == m.Phase.ENDED and before.phase != m.Phase.ENDED:
            await records.finish_legs(now)
        await self._batch.write(self.session)
        await observe_step(self.session, call, before, after, event, now, fresh=fresh)
        return Applied(call, transition, provider_commands)

    async def _recordings(self, records: CallRecords, event: m.Event, now: datetime) -> None:
        if isinstance(event, m.RecordingReady) and event.duration_seconds > 0:
            await records.add_recording(event.url, event.duration_seconds, now)
        elif isinstance(event, m.TranscriptReady):
            await records.add_transcript(event.text)

    async def _timers(
        self, call: Call, before: m.CallState, transition: m.Transition, now: datetime
    ) -> None:
        for timer in transition.timers:
            self._batch.arm(
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
            await TimerStore(self.session).drop_for_call(call.id, "engine", keep_keys=armed)

    def _dispatch(self, call: Call, commands: tuple[m.Command, ...], now: datetime) -> None:
        if not commands:
            return
        self._batch.arm(
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

    async def _alerts(
        self,
        call: Call,
        records: CallRecords,
        commands: tuple[m.Command, ...],
        now: datetime,
        *,
        fresh: bool = False,
    ) -> None:
        alert_commands = [c for c in commands if isinstance(c, _INTERNAL)]
        if not alert_commands:
            return
        lifecycle = AlertLifecycle(self.session, call.project_id)
        alert = None if fresh else await lifecycle.for_call(call.id)
        for command in alert_commands:
            if isinstance(command, m.RaiseAlert):
                alert, new = lifecycle.raise_for_call(
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
                    records.add_alert(alert)
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
