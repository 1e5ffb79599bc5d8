"""The provider-neutral ingress: what every provider's webhooks use to reach a call.

A provider's webhook module verifies the request, translates it into engine events (each with
the id that makes it happen once) and renders its answer; everything in between is here:
finding the number or the call, starting a call, applying events through the inbox under the
call's row lock, reading the steps whose commands have not reached the caller yet, and keeping
the provider's per-call data. The provider never drives the runtime, builds a query or touches
a timer itself.

A webhook that answers with the caller's next instructions passes ``answering=True``: each
step it applies is then shown to the provider's mid-step hook (``Provider.answered``) before
the step is written, so that what the answer carries is recorded with the step, and the
dispatch does not push it to the caller a second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls import inbox_repository
from callroute.calls.dispatch import view_of
from callroute.calls.records import CallRecords
from callroute.calls.repository import (
    InboundTarget,
    calls_by_provider_id,
    inbound_target,
    lock_call,
)
from callroute.calls.runtime import CallRuntime
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.models import Call, ProviderConnection
from callroute.providers.base import CallView, Provider, Step
from callroute.timers.store import TimerStore

# InboundTarget is re-exported: this module is all of ``calls`` a provider may import.
__all__ = ["InboundTarget", "Ingress", "Keyed", "Pending"]

Keyed = Sequence[tuple[str, m.Event]]


@dataclass(frozen=True)
class Pending:
    """A step whose commands wait for the dispatch that will carry them out."""

    generation: int
    commands: tuple[m.Command, ...]


class Ingress:
    def __init__(self, session: AsyncSession, provider: Provider[Any]) -> None:
        self.session = session
        self.provider = provider
        self.steps: list[Step] = []  # the steps applied through this ingress, in order

    # -- finding the call ----------------------------------------------------------------------

    async def number(self, dialled: str, provider_call_id: str) -> InboundTarget | None:
        """Where a dialled number leads (None: not a number of ours), and the call this
        provider call id started already, if any (a retried or fallback request)."""
        return await inbound_target(self.session, dialled, provider_call_id)

    async def call(self, call_id: uuid.UUID) -> Call | None:
        """The call, locked for this transaction, if it is this provider's."""
        call = await lock_call(self.session, call_id)
        if call is None or call.provider != self.provider.kind:
            return None
        return call

    async def calls_known_as(self, provider_call_id: str) -> list[tuple[uuid.UUID, dict[str, Any]]]:
        """The calls the provider knows by its own id, with their connection's settings."""
        return await calls_by_provider_id(self.session, self.provider.kind, provider_call_id)

    async def connection(self, call: Call) -> ProviderConnection | None:
        if call.connection_id is None:
            return None
        return await self.session.get(ProviderConnection, call.connection_id)

    # -- a new call ----------------------------------------------------------------------------

    async def start(
        self,
        target: InboundTarget,
        *,
        dialled: str,
        caller: str,
        provider_call_id: str,
        data: Any,
        now: datetime,
        answering: bool,
    ) -> Call:
        """Record the call and run its first step (or refuse it, with a record that says why)."""
        applied = await self._runtime(answering).start_inbound(
            to_number=dialled,
            from_number=caller,
            provider=self.provider.kind,
            provider_call_id=provider_call_id,
            now=now,
            provider_data=self.provider.dump(data),
            target=target,
        )
        assert applied is not None  # the target is a number of ours
        return applied.call

    # -- events --------------------------------------------------------------------------------

    async def apply(
        self, call: Call, keyed: Keyed, now: datetime, *, answering: bool = False
    ) -> list[Step]:
        """Step the (locked) call once per event not seen before; the steps taken."""
        taken = len(self.steps)
        runtime = self._runtime(answering)
        for event_id, event in keyed:
            if await inbox_repository.accept(
                self.session, self.provider.kind, event_id, call.id, now
            ):
                applied = await runtime.apply(call, event, now)
                if applied.provider_commands and not answering:
                    self.steps.append(Step(call.generation, applied.provider_commands))
        return self.steps[taken:]

    def _runtime(self, answering: bool) -> CallRuntime:
        return CallRuntime(self.session, on_step=self._answered if answering else None)

    def _answered(
        self, call: Call, transition: m.Transition, commands: tuple[m.Command, ...]
    ) -> None:
        step = Step(call.generation, commands)
        if commands:
            self.steps.append(step)
        data = self.provider.answered(self.view(call), step)
        if data is not None:
            call.provider_data = self.provider.dump(data)

    async def pending(self, call: Call, after_generation: int) -> Pending | None:
        """The newest step after ``after_generation`` whose dispatch has not finished."""
        newest: Pending | None = None
        for payload in await TimerStore(self.session).payloads(call.id, "dispatch"):
            generation = int(payload.get("generation", 0))
            if generation <= after_generation or (newest and generation <= newest.generation):
                continue
            commands = tuple(codec.command_from_dict(c) for c in payload.get("commands", []))
            newest = Pending(generation, commands)
        return newest

    # -- the provider's per-call data ----------------------------------------------------------

    def view(self, call: Call) -> CallView[Any]:
        return view_of(call, self.provider)

    def keep(self, call: Call, data: Any) -> None:
        """Replace the provider's per-call data (the call is locked by this transaction)."""
        call.provider_data = self.provider.dump(data)

    async def leg_ref(self, call: Call, leg_id: str, provider_leg_id: str) -> None:
        """The provider's id of a responder's leg, for its price and for hanging it up."""
        await CallRecords(self.session, call).provider_facts({leg_id: provider_leg_id}, {})
