"""Twilio's webhooks, handled: verify, record once, step the call, answer.

Every request is checked against ``X-Twilio-Signature`` with the auth token of the connection
that owns the number or the call, over the URL Twilio requested (``CALLROUTE_PUBLIC_URL`` plus
the path and the query string exactly as received); a bad or missing signature changes
nothing. Each webhook becomes engine events through the inbox, so a retried or duplicated
webhook has one effect, and is applied under the call's row lock.

Webhooks that end a caller document (the inbound call, Gather, Dial, Record, Enqueue,
Connect actions) are answered with the caller's next document: the one the engine's newest
step asks for, even when that step happened elsewhere and its REST update is still on its
way; a callback from a replaced document is answered without moving the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator

from callroute.calls import inbox
from callroute.calls.repository import InboundTarget, inbound_target
from callroute.calls.runtime import CallRuntime, lock_call
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import Forbidden, NotFound
from callroute.models import Call, ProviderConnection, Timer
from callroute.providers.twilio import account, documents, events, twiml
from callroute.providers.twilio.provider import PROVIDER

SIGNATURE_HEADER = "x-twilio-signature"


@dataclass(frozen=True)
class Incoming:
    """One webhook request, as Twilio sent it."""

    url: str  # as Twilio requested it: the public URL, the path, the query string as received
    params: Mapping[str, str]  # the form fields (or the JSON body's top-level values)
    signed: Any  # what the signature covers: the form fields, or the raw JSON body
    signature: str | None
    query: Mapping[str, str]

    def number(self, name: str) -> int | None:
        value = self.query.get(name, "")
        return int(value) if value.isdigit() else None


def verify(incoming: Incoming, auth_token: str) -> None:
    if not incoming.signature or not auth_token:
        raise Forbidden("missing X-Twilio-Signature")
    if not RequestValidator(auth_token).validate(incoming.url, incoming.signed, incoming.signature):
        raise Forbidden("X-Twilio-Signature does not match this request")


Translate = Callable[[Call], events.Keyed]


class TwilioWebhooks:
    def __init__(self, session: AsyncSession, *, secret_key: str, urls: twiml.Urls) -> None:
        self.session = session
        self.secret_key = secret_key
        self.urls = urls
        # (generation, caller commands) of the steps applied by this request, in order.
        self._steps: list[tuple[int, list[m.Command]]] = []

    # -- the inbound call ----------------------------------------------------------------------

    async def inbound(self, incoming: Incoming, now: datetime) -> str:
        if not incoming.signature:  # Twilio signs every request: this one is not Twilio's
            raise Forbidden("missing X-Twilio-Signature")
        to, call_sid = incoming.params.get("To", ""), incoming.params.get("CallSid", "")
        target = await inbound_target(self.session, to, call_sid)
        if target is None or target.connection_kind != PROVIDER:
            # Not a number of ours: there is no account to check the signature with, and
            # nothing to record; the caller hears so.
            return twiml.goodbye(twiml.NOT_IN_SERVICE)
        self._verify_target(incoming, target)
        if target.existing_call_id is not None:  # Twilio asking again (retry or fallback URL)
            call = await lock_call(self.session, target.existing_call_id)
            assert call is not None
            return documents.current(call)[1] or self._wait(call)
        applied = await self._runtime().start_inbound(
            to_number=to,
            from_number=incoming.params.get("From", "") or "anonymous",
            provider=PROVIDER,
            provider_call_id=call_sid,
            now=now,
            provider_data={"account_sid": incoming.params.get("AccountSid", "")},
            target=target,
        )
        assert applied is not None
        return documents.current(applied.call)[1] or self._wait(applied.call)

    def _verify_target(self, incoming: Incoming, target: InboundTarget) -> None:
        settings, secrets = target.connection_settings, target.connection_secrets
        if incoming.params.get("AccountSid") != settings.get("account_sid"):
            raise Forbidden("this number belongs to another Twilio account")
        verify(incoming, account.credentials_of(settings, secrets, self.secret_key).auth_token)

    # -- callbacks about a call ----------------------------------------------------------------

    async def on_call(
        self,
        incoming: Incoming,
        now: datetime,
        translate: Translate,
        call_id: uuid.UUID | None = None,
    ) -> Call:
        """Verify, then apply the webhook's events to the call (once each). The call is the
        one the URL names (``?call=``), unless ``call_id`` says."""
        call = await self._locked_call(incoming, call_id)
        runtime = self._runtime()
        for event_id, event in translate(call):
            if await inbox.accept(self.session, PROVIDER, event_id, call.id, now):
                await runtime.apply(call, event, now)
        return call

    async def document_ended(self, incoming: Incoming, now: datetime, translate: Translate) -> str:
        """A caller document ended and Twilio asks for the next one."""
        call = await self.on_call(incoming, now, translate)
        number, xml = documents.current(call)
        asked_from = incoming.number("d")
        if self._steps and self._steps[-1][0] > documents.delivered_generation(call):
            return self._answer(call, self._steps[-1], asked_from)
        if asked_from is not None and asked_from != number:
            if documents.data(call).get("answer_to") == asked_from and xml:
                return xml  # Twilio retried the request whose answer this document was
            return self._wait(call)  # from a replaced document: do not move the caller
        pending = await self._pending_step(call)
        if pending is not None:
            return self._answer(call, pending, asked_from)
        # Nothing new for the caller: wait in the queue (or hang up if the call is over).
        return self._answer(call, (documents.delivered_generation(call), []), asked_from)

    def _answer(self, call: Call, step: tuple[int, list[m.Command]], asked_from: int | None) -> str:
        generation, commands = step
        doc = documents.next_document(call, self.urls)
        ended = documents.state(call).phase is m.Phase.ENDED if call.state else True
        xml = twiml.caller_document(commands, doc, ended=ended)
        documents.record(call, doc, xml, generation, twiml.dialled_legs(commands))
        documents.update(call, answer_to=asked_from)
        return xml

    async def _pending_step(self, call: Call) -> tuple[int, list[m.Command]] | None:
        """The newest step whose caller commands wait for their REST update (the dispatch
        timer has not run yet): the caller asked first, so the answer carries them."""
        mode = documents.ring_mode(call)
        rows = await self.session.scalars(
            select(Timer.payload).where(Timer.call_id == call.id, Timer.kind == "dispatch")
        )
        newest: tuple[int, list[m.Command]] | None = None
        for payload in rows:
            generation = int(payload.get("generation", 0))
            if generation <= documents.delivered_generation(call):
                continue
            commands = [codec.command_from_dict(c) for c in payload.get("commands", [])]
            wanted = twiml.caller_commands(commands, mode)
            if wanted and (newest is None or generation > newest[0]):
                newest = (generation, wanted)
        return newest

    def _wait(self, call: Call) -> str:
        number, _ = documents.current(call)
        doc = twiml.Document(self.urls, call.id, number, call.to_number)
        return twiml.caller_document([], doc, ended=False)

    def _runtime(self) -> CallRuntime:
        return CallRuntime(self.session, on_step=self._on_step)

    def _on_step(
        self, call: Call, transition: m.Transition, commands: tuple[m.Command, ...]
    ) -> None:
        """Each step this request applies: an inbound call's first step is answered at once
        (its document is recorded before the call row is written)."""
        wanted = twiml.caller_commands(commands, documents.ring_mode(call))
        if not wanted:
            return
        self._steps.append((call.generation, wanted))
        if documents.current(call)[0] == 0:  # the call's first document: the webhook answer
            doc = documents.next_document(call, self.urls)
            ended = transition.state.phase is m.Phase.ENDED
            xml = twiml.caller_document(wanted, doc, ended=ended)
            documents.record(call, doc, xml, call.generation, twiml.dialled_legs(wanted))

    async def _locked_call(self, incoming: Incoming, call_id: uuid.UUID | None) -> Call:
        if call_id is None:
            try:
                call_id = uuid.UUID(incoming.query.get("call", ""))
            except ValueError:
                raise NotFound("no such call") from None
        call = await lock_call(self.session, call_id)
        if call is None or call.provider != PROVIDER or call.connection_id is None:
            raise NotFound("no such call")
        connection = await self.session.get(ProviderConnection, call.connection_id)
        if connection is None:
            raise NotFound("no such call")
        verify(incoming, account.credentials(connection, self.secret_key).auth_token)
        return call

    def dial_events(self, incoming: Incoming, call: Call, doc: int) -> events.Keyed:
        legs = documents.dialled(call, doc)
        accepted = documents.state(call).answered_leg
        return events.dial_ended(incoming.params, str(call.id), doc, legs, accepted)

    async def caller_status(self, incoming: Incoming, now: datetime) -> None:
        """The number's status callback: it names the call by Twilio's CallSid only."""
        call_sid = incoming.params.get("CallSid", "")
        rows = await self.session.execute(
            select(Call.id, ProviderConnection.settings)
            .join(ProviderConnection, ProviderConnection.id == Call.connection_id)
            .where(Call.provider == PROVIDER, Call.provider_call_id == call_sid)
        )
        account = incoming.params.get("AccountSid")
        ours = [
            call_id for call_id, settings in rows.all() if settings.get("account_sid") == account
        ]
        if not ours:
            raise NotFound("no such call")
        ended = events.caller_status(incoming.params)
        await self.on_call(incoming, now, lambda _call: ended, ours[0])

    # -- a responder's leg ---------------------------------------------------------------------

    async def screen(self, incoming: Incoming, now: datetime) -> str:
        """The responder picked up: ask them to press 1, unless the leg is no longer wanted."""
        leg = incoming.query.get("leg", "")
        call = await self.on_call(incoming, now, lambda c: events.screened(str(c.id), leg))
        state = documents.state(call)
        if state.answered_leg == leg:  # no key needed: taken at pick-up (hold mode)
            return twiml.join_caller(call.id)
        current = next((x for x in state.legs if x.leg_id == leg), None)
        if current is None or current.status is not m.LegStatus.ANSWERED:
            return twiml.goodbye(twiml.ACCEPTED_TOO_LATE)
        snapshot = codec.snapshot_from_dict(call.snapshot)
        return twiml.screen_document(snapshot.ringing.accept_prompt, self.urls, call.id, leg)

    async def screen_result(self, incoming: Incoming, now: datetime) -> str:
        leg = incoming.query.get("leg", "")
        call = await self.on_call(
            incoming, now, lambda c: events.screen_result(incoming.params, str(c.id), leg)
        )
        state = documents.state(call)
        if state.answered_leg is None:
            return twiml.goodbye()  # declined, or no key at all (a voicemail): not an answer
        if state.answered_leg != leg:
            return twiml.goodbye(twiml.ACCEPTED_TOO_LATE)
        if documents.ring_mode(call) is m.RingMode.HOLD:
            documents.add_joined(call, leg)
            return twiml.join_caller(call.id)
        return twiml.accepted()

    async def leg_status(self, incoming: Incoming, now: datetime) -> None:
        leg = incoming.query.get("leg", "")
        sid = incoming.params.get("CallSid", "")

        def translate(call: Call) -> events.Keyed:
            return events.leg_status(incoming.params, leg, documents.state(call).answered_leg)

        call = await self.on_call(incoming, now, translate)
        if sid:  # dial mode: a leg's sid is learnt from its first callback
            await documents.record_leg(self.session, call, leg, sid)
