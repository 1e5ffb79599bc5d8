"""The simulator provider: carries out engine commands against scripted phones.

It never talks to a network: planning a step is all it does. What the phones do are events due
when the phone would act (``calls.dispatch`` schedules them as ``provider_event`` timers, which
the runner delivers through the inbox like any provider's webhook). Event ids derive from the
call, the step (generation) and the command's position, so planning the same commands twice
(after a crash) schedules nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from callroute.engine.callflow import model as m
from callroute.errors import NotFound
from callroute.models import PhoneNumber, ProviderConnection
from callroute.providers.base import (
    Audio,
    AvailableNumber,
    CallView,
    Effect,
    EffectResult,
    NumberSearch,
    Outcome,
    ProviderEvent,
    Provisioned,
    Step,
    TakenNumbers,
)
from callroute.providers.simulator import numbers
from callroute.providers.simulator.audio import voicemail_wav
from callroute.providers.simulator.script import TALK_SECONDS, Script, parse_behaviour

PROVIDER = "simulator"
RECORDING_BASE = "https://simulator.callroute.invalid/recordings"


class SimulatorProvider:
    kind = PROVIDER

    async def search_numbers(
        self, connection: ProviderConnection, search: NumberSearch, taken: TakenNumbers
    ) -> list[AvailableNumber]:
        # The simulator's numbers have no real area codes; one reads as digits to contain.
        contains = search.contains or search.area_code
        return await numbers.available(
            search.country, search.number_type, contains, search.limit, taken
        )

    async def provision(
        self,
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

    async def check(self, connection: ProviderConnection) -> str:
        return "simulator connection is ready"

    async def recording(
        self, connection: ProviderConnection | None, url: str, duration_seconds: int
    ) -> Audio:
        if not url.startswith(RECORDING_BASE + "/"):
            raise NotFound("recording: the simulator made no recording at this address")
        return Audio("audio/wav", voicemail_wav(duration_seconds))

    # -- per-call data -------------------------------------------------------------------------

    def load(self, raw: dict[str, Any]) -> SimulatedCall:
        return SimulatedCall(Script.from_dict(raw.get("script", {})), int(raw.get("gathers", 0)))

    def dump(self, data: SimulatedCall) -> dict[str, Any]:
        return {"script": data.script.to_dict(), "gathers": data.gathers}

    # -- carrying out a step: the scripted phones' answers, scheduled as events --------------

    def plan(
        self, call: CallView[SimulatedCall], generation: int, commands: Sequence[m.Command]
    ) -> Outcome[SimulatedCall]:
        plan = _Plan(call)
        for index, command in enumerate(commands):
            plan.prefix = f"{call.call_id}:{generation}:{index}"
            self._act(plan, command)
        return plan.outcome()

    async def perform(
        self,
        connection: ProviderConnection,
        call: CallView[SimulatedCall],
        effect: Effect,
        *,
        retried: bool,
    ) -> EffectResult:
        raise AssertionError("the simulator makes no requests")  # pragma: no cover

    def settle(
        self, call: CallView[SimulatedCall], effect: Effect, result: EffectResult
    ) -> Outcome[SimulatedCall]:
        raise AssertionError("the simulator makes no requests")  # pragma: no cover

    def answered(self, call: CallView[SimulatedCall], step: Step) -> SimulatedCall | None:
        return None  # the simulator's phones have no webhooks to answer

    async def run_task(
        self, connection: ProviderConnection, call: CallView[SimulatedCall], task: dict[str, Any]
    ) -> Outcome[SimulatedCall]:
        return Outcome()  # the simulator schedules no later work

    def _act(self, plan: _Plan, command: m.Command) -> None:
        script = plan.script
        if isinstance(command, m.Gather):
            used = plan.gathers
            plan.gathers += 1
            if used < len(script.digits):
                plan.at(2, m.Digits(script.digits[used]))
            else:
                plan.at(command.timeout_seconds, m.Digits(""))
        elif isinstance(command, m.RingLegs):
            for leg in command.legs:
                self._ring(plan, script, leg, command)
        elif isinstance(command, m.CancelLegs):
            plan.cancel(command.leg_ids)
        elif isinstance(command, m.Bridge):
            plan.at(
                TALK_SECONDS,
                m.LegEnded(command.leg_id, m.LegStatus.COMPLETED),
                leg_id=command.leg_id,
            )
        elif isinstance(command, m.Record):
            if script.message_seconds > 0:
                url = f"{RECORDING_BASE}/{plan.call.call_id}.wav"
                plan.at(script.message_seconds, m.RecordingReady(url, script.message_seconds))
                if command.transcribe:
                    plan.at(script.message_seconds + 3, m.TranscriptReady(script.transcript))
            else:
                plan.at(3, m.RecordingReady(f"{RECORDING_BASE}/empty.wav", 0))
        elif isinstance(command, m.Forward | m.DialSip):
            target = command.number if isinstance(command, m.Forward) else command.uri
            self._connect(plan, script, target, command.timeout_seconds)
        elif isinstance(command, m.ConnectStream):
            plan.at(1, m.ConnectionAnswered())
            plan.at(30, m.BridgeEnded(m.LegStatus.COMPLETED))
        elif isinstance(command, m.PlaceCall):
            self._dial_out(plan, script, command)

    def _ring(self, plan: _Plan, script: Script, leg: m.Leg, ring: m.RingLegs) -> None:
        behaviour = script.behaviour(leg.member_name, leg.member_id, leg.number)
        timeout = ring.timeout_seconds
        lid = leg.leg_id
        if behaviour.kind == "busy":
            plan.at(1, m.LegEnded(lid, m.LegStatus.BUSY), leg_id=lid)
            return
        if behaviour.kind == "unreachable":
            plan.at(1, m.LegEnded(lid, m.LegStatus.FAILED), leg_id=lid)
            return
        plan.at(0.5, m.LegRinging(lid), leg_id=lid)
        pickup = {"answer": behaviour.after, "voicemail": 4.0, "decline": 3.0}.get(behaviour.kind)
        if pickup is None or pickup >= timeout:
            plan.at(timeout, m.LegEnded(lid, m.LegStatus.NO_ANSWER), leg_id=lid)
            return
        plan.at(pickup, m.LegAnswered(lid), leg_id=lid)
        if behaviour.kind == "voicemail":
            # A personal voicemail greets and records; it never presses a key.
            if ring.require_accept:
                plan.at(pickup + 10, m.Digits("", lid), leg_id=lid)
            return
        if ring.require_accept:
            key = "1" if behaviour.kind == "answer" else "2"
            plan.at(pickup + 2, m.Digits(key, lid), leg_id=lid)

    def _connect(self, plan: _Plan, script: Script, target: str, ring_for: int) -> None:
        """A forward or SIP dial: the far end answers unless the script says otherwise."""
        behaviour = parse_behaviour(script.phones.get(target.lower(), "answer"))
        if behaviour.kind == "answer":
            plan.at(behaviour.after, m.ConnectionAnswered())
            plan.at(behaviour.after + TALK_SECONDS, m.BridgeEnded(m.LegStatus.COMPLETED))
            return
        outcome = {"busy": m.LegStatus.BUSY, "unreachable": m.LegStatus.FAILED}.get(
            behaviour.kind, m.LegStatus.NO_ANSWER
        )
        plan.at(ring_for if outcome == m.LegStatus.NO_ANSWER else 1, m.BridgeEnded(outcome))

    def _dial_out(self, plan: _Plan, script: Script, dial: m.PlaceCall) -> None:
        """An outbound call: the called phone behaves as the script says for its number."""
        behaviour = script.behaviour(dial.number)
        unreached = {
            "busy": (1.0, m.LegStatus.BUSY),
            "decline": (3.0, m.LegStatus.BUSY),  # rejected while ringing
            "unreachable": (1.0, m.LegStatus.FAILED),
        }.get(behaviour.kind)
        if unreached is not None:
            plan.at(unreached[0], m.CalleeUnreached(unreached[1]))
            return
        # A voicemail greeting that picks up answers the call, as on a real network.
        pickup = {"answer": behaviour.after, "voicemail": 4.0}.get(behaviour.kind)
        if pickup is None or pickup >= dial.timeout_seconds:
            plan.at(dial.timeout_seconds, m.CalleeUnreached(m.LegStatus.NO_ANSWER))
            return
        plan.at(pickup, m.CalleeAnswered())
        plan.at(pickup + TALK_SECONDS, m.CallerHungUp())


@dataclass(frozen=True)
class SimulatedCall:
    """The simulator's per-call data: the script, and how many prompts the caller heard."""

    script: Script
    gathers: int = 0


class _Plan:
    """The phone events of one step, numbered for idempotency: the same step planned twice
    schedules the same event ids, which the timers' dedupe keys keep once."""

    def __init__(self, call: CallView[SimulatedCall]) -> None:
        self.call = call
        self.script = call.data.script
        self.gathers = call.data.gathers
        self.prefix = ""
        self._count = 0
        self._events: list[ProviderEvent] = []
        self._cancelled: set[str] = set()

    def at(self, seconds: float, event: m.Event, *, leg_id: str | None = None) -> None:
        self._count += 1
        event_id = f"sim:{self.prefix}:{self._count}"
        self._events.append(ProviderEvent(event_id, event, max(seconds, 0.001), leg_id))

    def cancel(self, leg_ids: Sequence[str]) -> None:
        """The legs' scheduled events are dropped, this step's own included."""
        wanted = set(leg_ids)
        self._cancelled |= wanted
        self._events = [e for e in self._events if e.leg_id not in wanted]

    def outcome(self) -> Outcome[SimulatedCall]:
        changed = self.gathers != self.call.data.gathers
        return Outcome(
            data=SimulatedCall(self.script, self.gathers) if changed else None,
            events=self._events,
            cancel_events_of_legs=tuple(sorted(self._cancelled)),
        )
