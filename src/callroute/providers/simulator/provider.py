"""The simulator provider: carries out engine commands against scripted phones.

It never talks to a network. What the phones do is written as ``provider_event`` timers, due
when the phone would act; the runner delivers them through the inbox like any provider's
webhook. Event ids derive from the call, the step (generation) and the command's position, so
carrying out the same commands twice (after a crash) schedules nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.models import Call, PhoneNumber, ProviderConnection
from callroute.providers.base import AvailableNumber, CallContext, NumberSearch, Provisioned
from callroute.providers.simulator import numbers
from callroute.providers.simulator.script import TALK_SECONDS, Script, parse_behaviour
from callroute.timers.store import TimerBatch, TimerStore

PROVIDER = "simulator"
RECORDING_BASE = "https://simulator.callroute.invalid/recordings"


class SimulatorProvider:
    kind = PROVIDER

    async def search_numbers(
        self, session: AsyncSession, connection: ProviderConnection, search: NumberSearch
    ) -> list[AvailableNumber]:
        taken = set((await session.scalars(select(PhoneNumber.number))).all())
        # The simulator's numbers have no real area codes; one reads as digits to contain.
        contains = search.contains or search.area_code
        return numbers.candidates(search.country, search.number_type, contains, search.limit, taken)

    async def provision(
        self,
        session: AsyncSession,
        connection: ProviderConnection,
        number: AvailableNumber,
        *,
        existing: bool,
    ) -> Provisioned:
        return Provisioned(number)

    async def release(
        self, connection: ProviderConnection, number: PhoneNumber, *, give_back: bool
    ) -> None:
        return None

    async def run_task(
        self, session: AsyncSession, call_id: uuid.UUID, task: dict[str, Any], now: datetime
    ) -> None:
        return None  # the simulator schedules no later work

    async def check(self, connection: ProviderConnection) -> str:
        return "simulator connection is ready"

    async def execute(
        self, session: AsyncSession, call: CallContext, commands: Sequence[m.Command], now: datetime
    ) -> None:
        # The runner locked the call before dispatching; this read sees that row.
        row = await session.get(Call, call.call_id)
        if row is None:
            return
        script = Script.from_dict(row.provider_data.get("script", {}))
        plan = _Plan(session, call, now)
        for index, command in enumerate(commands):
            plan.prefix = f"{call.call_id}:{call.generation}:{index}"
            await self._act(plan, script, row, command)
        await plan.write()

    async def _act(self, plan: _Plan, script: Script, row: Call, command: m.Command) -> None:
        if isinstance(command, m.Gather):
            used = int(row.provider_data.get("gathers", 0))
            row.provider_data = {**row.provider_data, "gathers": used + 1}
            if used < len(script.digits):
                await plan.at(2, m.Digits(script.digits[used]))
            else:
                await plan.at(command.timeout_seconds, m.Digits(""))
        elif isinstance(command, m.RingLegs):
            for leg in command.legs:
                await self._ring(plan, script, leg, command)
        elif isinstance(command, m.CancelLegs):
            await plan.write()  # what this dispatch scheduled so far can be cancelled too
            await TimerStore(plan.session).drop_matching(
                plan.call.call_id, "provider_event", "leg_id", command.leg_ids
            )
        elif isinstance(command, m.Bridge):
            await plan.at(
                TALK_SECONDS,
                m.LegEnded(command.leg_id, m.LegStatus.COMPLETED),
                leg_id=command.leg_id,
            )
        elif isinstance(command, m.Record):
            if script.message_seconds > 0:
                url = f"{RECORDING_BASE}/{plan.call.call_id}.wav"
                await plan.at(script.message_seconds, m.RecordingReady(url, script.message_seconds))
                if command.transcribe:
                    await plan.at(script.message_seconds + 3, m.TranscriptReady(script.transcript))
            else:
                await plan.at(3, m.RecordingReady(f"{RECORDING_BASE}/empty.wav", 0))
        elif isinstance(command, m.Forward | m.DialSip):
            target = command.number if isinstance(command, m.Forward) else command.uri
            await self._connect(plan, script, target, command.timeout_seconds)
        elif isinstance(command, m.ConnectStream):
            await plan.at(1, m.ConnectionAnswered())
            await plan.at(30, m.BridgeEnded(m.LegStatus.COMPLETED))
        elif isinstance(command, m.PlaceCall):
            await self._dial_out(plan, script, command)

    async def _ring(self, plan: _Plan, script: Script, leg: m.Leg, ring: m.RingLegs) -> None:
        behaviour = script.behaviour(leg.member_name, leg.member_id, leg.number)
        timeout = ring.timeout_seconds
        lid = leg.leg_id
        if behaviour.kind == "busy":
            await plan.at(1, m.LegEnded(lid, m.LegStatus.BUSY), leg_id=lid)
            return
        if behaviour.kind == "unreachable":
            await plan.at(1, m.LegEnded(lid, m.LegStatus.FAILED), leg_id=lid)
            return
        await plan.at(0.5, m.LegRinging(lid), leg_id=lid)
        pickup = {"answer": behaviour.after, "voicemail": 4.0, "decline": 3.0}.get(behaviour.kind)
        if pickup is None or pickup >= timeout:
            await plan.at(timeout, m.LegEnded(lid, m.LegStatus.NO_ANSWER), leg_id=lid)
            return
        await plan.at(pickup, m.LegAnswered(lid), leg_id=lid)
        if behaviour.kind == "voicemail":
            # A personal voicemail greets and records; it never presses a key.
            if ring.require_accept:
                await plan.at(pickup + 10, m.Digits("", lid), leg_id=lid)
            return
        if ring.require_accept:
            key = "1" if behaviour.kind == "answer" else "2"
            await plan.at(pickup + 2, m.Digits(key, lid), leg_id=lid)

    async def _connect(self, plan: _Plan, script: Script, target: str, ring_for: int) -> None:
        """A forward or SIP dial: the far end answers unless the script says otherwise."""
        behaviour = parse_behaviour(script.phones.get(target.lower(), "answer"))
        if behaviour.kind == "answer":
            await plan.at(behaviour.after, m.ConnectionAnswered())
            await plan.at(behaviour.after + TALK_SECONDS, m.BridgeEnded(m.LegStatus.COMPLETED))
            return
        outcome = {"busy": m.LegStatus.BUSY, "unreachable": m.LegStatus.FAILED}.get(
            behaviour.kind, m.LegStatus.NO_ANSWER
        )
        await plan.at(ring_for if outcome == m.LegStatus.NO_ANSWER else 1, m.BridgeEnded(outcome))

    async def _dial_out(self, plan: _Plan, script: Script, dial: m.PlaceCall) -> None:
        """An outbound call: the called phone behaves as the script says for its number."""
        behaviour = script.behaviour(dial.number)
        unreached = {
            "busy": (1.0, m.LegStatus.BUSY),
            "decline": (3.0, m.LegStatus.BUSY),  # rejected while ringing
            "unreachable": (1.0, m.LegStatus.FAILED),
        }.get(behaviour.kind)
        if unreached is not None:
            await plan.at(unreached[0], m.CalleeUnreached(unreached[1]))
            return
        # A voicemail greeting that picks up answers the call, as on a real network.
        pickup = {"answer": behaviour.after, "voicemail": 4.0}.get(behaviour.kind)
        if pickup is None or pickup >= dial.timeout_seconds:
            await plan.at(dial.timeout_seconds, m.CalleeUnreached(m.LegStatus.NO_ANSWER))
            return
        await plan.at(pickup, m.CalleeAnswered())
        await plan.at(pickup + TALK_SECONDS, m.CallerHungUp())


class _Plan:
    """Schedules phone events for one dispatch; numbers them for idempotency. They are
    written together (one INSERT), by :meth:`write`."""

    def __init__(self, session: AsyncSession, call: CallContext, now: datetime) -> None:
        self.session = session
        self.call = call
        self.now = now
        self.prefix = ""
        self._count = 0
        self._batch = TimerBatch()

    async def write(self) -> None:
        await self._batch.write(self.session)

    async def at(self, seconds: float, event: m.Event, *, leg_id: str | None = None) -> None:
        self._count += 1
        event_id = f"sim:{self.prefix}:{self._count}"
        payload = {"event": codec.event_to_dict(event), "event_id": event_id, "provider": PROVIDER}
        if leg_id is not None:
            payload["leg_id"] = leg_id
        self._batch.arm(
            "provider_event",
            self.now + timedelta(seconds=seconds),
            self.now,
            call_id=self.call.call_id,
            payload=payload,
            dedupe_key=event_id,
        )
