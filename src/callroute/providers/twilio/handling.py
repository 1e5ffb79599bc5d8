"""Twilio's webhooks, handled: verify, translate into engine events, answer in TwiML.

Every request is checked against ``X-Twilio-Signature`` with the auth token of the connection
that owns the number or the call, over the URL Twilio requested (``CALLROUTE_PUBLIC_URL`` plus
the path and the query string exactly as received); a bad or missing signature changes
nothing. Events go through ``calls.ingress`` (the inbox, the call's row lock, the runtime):
a retried or duplicated webhook has one effect.

Webhooks that end a caller document (the inbound call, Gather, Dial, Record, Enqueue,
Connect actions, and the URL a long document is fetched from) are answered with the caller's
next document: the one the engine's newest step asks for, even when that step happened
elsewhere and its REST update is still to come; a callback from a replaced document is
answered without moving the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator

from callroute.calls.ingress import InboundTarget, Ingress
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import Forbidden, NotFound
from callroute.models import Call
from callroute.providers.twilio import account, events, steps, twiml
from callroute.providers.twilio.provider import PROVIDER, TwilioProvider
from callroute.providers.twilio.state import TwilioCall

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
    def __init__(self, session: AsyncSession, provider: TwilioProvider) -> None:
        self.provider = provider
        self.urls = provider.urls
        self.secret_keys = provider.env.secret_keys
        self.ingress = Ingress(session, provider)

    def data(self, call: Call) -> TwilioCall:
        return self.provider.load(call.provider_data or {})

    # -- the inbound call ----------------------------------------------------------------------

    async def inbound(self, incoming: Incoming, now: datetime) -> str:
        if not incoming.signature:  # Twilio signs every request: this one is not Twilio's
            raise Forbidden("missing X-Twilio-Signature")
        to, call_sid = incoming.params.get("To", ""), incoming.params.get("CallSid", "")
        target = await self.ingress.number(to, call_sid)
        if target is None or target.connection_kind != PROVIDER:
            # Not a number of ours: there is no account to check the signature with, and
            # nothing to record; the caller hears so.
            return twiml.goodbye(twiml.NOT_IN_SERVICE)
        self._verify_target(incoming, target)
        if target.existing_call_id is not None:  # Twilio asking again (retry or fallback URL)
            call = await self.ingress.call(target.existing_call_id)
            assert call is not None
            return self.data(call).xml or self._wait(call)
        call = await self.ingress.start(
            target,
            dialled=to,
            caller=incoming.params.get("From", "") or "anonymous",
            provider_call_id=call_sid,
            data=TwilioCall(account_sid=incoming.params.get("AccountSid", "")),
            now=now,
            answering=True,
        )
        return self.data(call).xml or self._wait(call)

    def _verify_target(self, incoming: Incoming, target: InboundTarget) -> None:
        settings, secrets = target.connection_settings, target.connection_secrets
        if incoming.params.get("AccountSid") != settings.get("account_sid"):
            raise Forbidden("this number belongs to another Twilio account")
        verify(incoming, account.credentials_of(settings, secrets, self.secret_keys).auth_token)

    # -- callbacks about a call ----------------------------------------------------------------

    async def on_call(
        self,
        incoming: Incoming,
        now: datetime,
        translate: Translate,
        call_id: uuid.UUID | None = None,
        *,
        answering: bool = False,
    ) -> Call:
        """Verify, then apply the webhook's events to the call (once each). The call is the
        one the URL names (``?call=``), unless ``call_id`` says."""
        call = await self._locked_call(incoming, call_id)
        await self.ingress.apply(call, translate(call), now, answering=answering)
        return call

    async def document_ended(self, incoming: Incoming, now: datetime, translate: Translate) -> str:
        """A caller document ended and Twilio asks for the next one."""
        call = await self._locked_call(incoming, None)
        handed_out = self.data(call).doc
        await self.ingress.apply(call, translate(call), now, answering=True)
        data = self.data(call)
        asked_from = incoming.number("d")
        if data.doc > handed_out:  # a step of this request answers with its document
            self.ingress.keep(call, replace(data, answer_to=asked_from))
            return data.xml or self._wait(call)
        if asked_from is not None and asked_from != data.doc:
            if data.answer_to == asked_from and data.xml:
                return data.xml  # Twilio retried the request whose answer this document was
            if data.xml and data.doc > data.sent and data.pushing != data.doc:
                # The current document has not been sent (its push waits on another): it is
                # the answer, and the push in flight will send it again when it settles.
                self.ingress.keep(call, replace(data, sent=data.doc, answer_to=asked_from))
                return data.xml
            return self._wait(call)  # from a replaced document: do not move the caller
        # A step whose dispatch has not planned yet: the caller asked first, so the answer
        # carries the step's commands (and the dispatch will not push them).
        pending = await self.ingress.pending(call, data.delivered)
        view = self.ingress.view(call)
        if pending is not None:
            wanted = twiml.caller_commands(pending.commands, view.ring_mode)
            if wanted:  # the caller asked first: the answer carries the step's commands
                data = steps.render(view, self.urls, data, wanted, pending.generation)
                self.ingress.keep(call, replace(data, answer_to=asked_from))
                return data.xml or self._wait(call)
        # Nothing new for the caller: wait in the queue (or hang up if the call is over).
        data = steps.render(view, self.urls, data, [], data.delivered)
        self.ingress.keep(call, replace(data, answer_to=asked_from))
        return data.xml or self._wait(call)

    async def document(self, incoming: Incoming) -> str:
        """Twilio fetches a document callroute sent it to by URL (too long to send inline)."""
        call = await self._locked_call(incoming, None)
        data = self.data(call)
        if incoming.number("d") == data.doc and data.xml:
            self.ingress.keep(call, replace(data, sent=max(data.sent, data.doc)))
            return data.xml
        return self._wait(call)

    def _wait(self, call: Call) -> str:
        view = self.ingress.view(call)
        doc = twiml.Document(self.urls, call.id, view.data.doc, call.to_number, view.hold_music_url)
        return twiml.caller_document([], doc, ended=False)

    async def _locked_call(self, incoming: Incoming, call_id: uuid.UUID | None) -> Call:
        if call_id is None:
            try:
                call_id = uuid.UUID(incoming.query.get("call", ""))
            except ValueError:
                raise NotFound("no such call") from None
        call = await self.ingress.call(call_id)
        connection = await self.ingress.connection(call) if call is not None else None
        if call is None or connection is None:
            raise NotFound("no such call")
        verify(incoming, account.credentials(connection, self.secret_keys).auth_token)
        return call

    def dial_events(self, incoming: Incoming, call: Call, doc: int) -> events.Keyed:
        legs = list(self.data(call).dialled.get(doc, ()))
        accepted = self.ingress.view(call).state.answered_leg
        return events.dial_ended(incoming.params, str(call.id), doc, legs, accepted)

    def queue_events(self, incoming: Incoming, call: Call, doc: int) -> events.Keyed:
        accepted = self.ingress.view(call).state.answered_leg
        return events.queue_left(incoming.params, str(call.id), doc, accepted)

    async def caller_status(self, incoming: Incoming, now: datetime) -> None:
        """The number's status callback: it names the call by Twilio's CallSid only."""
        call_sid = incoming.params.get("CallSid", "")
        sender = incoming.params.get("AccountSid")
        ours = [
            call_id
            for call_id, settings in await self.ingress.calls_known_as(call_sid)
            if settings.get("account_sid") == sender
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
        await self._learn_sid(call, leg, incoming)
        view = self.ingress.view(call)
        if view.state.answered_leg == leg:  # no key needed: taken at pick-up (hold mode)
            return twiml.join_caller(call.id)
        current = next((x for x in view.state.legs if x.leg_id == leg), None)
        if current is None or current.status is not m.LegStatus.ANSWERED:
            return twiml.goodbye(twiml.ACCEPTED_TOO_LATE)
        prompt = codec.snapshot_from_dict(call.snapshot).ringing.accept_prompt
        return twiml.screen_document(prompt, self.urls, call.id, leg)

    async def screen_result(self, incoming: Incoming, now: datetime) -> str:
        leg = incoming.query.get("leg", "")
        call = await self.on_call(
            incoming, now, lambda c: events.screen_result(incoming.params, str(c.id), leg)
        )
        view = self.ingress.view(call)
        if view.state.answered_leg is None:
            return twiml.goodbye()  # declined, or no key at all (a voicemail): not an answer
        if view.state.answered_leg != leg:
            return twiml.goodbye(twiml.ACCEPTED_TOO_LATE)
        if view.ring_mode is m.RingMode.HOLD:
            self.ingress.keep(call, view.data.with_joined(leg))
            return twiml.join_caller(call.id)
        return twiml.accepted()

    async def leg_status(self, incoming: Incoming, now: datetime) -> None:
        leg = incoming.query.get("leg", "")

        def translate(call: Call) -> events.Keyed:
            answered = self.ingress.view(call).state.answered_leg
            return events.leg_status(incoming.params, leg, answered)

        call = await self.on_call(incoming, now, translate)
        await self._learn_sid(call, leg, incoming)

    async def _learn_sid(self, call: Call, leg: str, incoming: Incoming) -> None:
        """A leg's sid, learnt from its callbacks (dial mode: Twilio created the leg)."""
        sid = incoming.params.get("CallSid", "")
        data = self.data(call)
        if sid and leg and data.legs.get(leg) != sid:
            self.ingress.keep(call, data.with_leg(leg, sid))
            await self.ingress.leg_ref(call, leg, sid)
