"""The Twilio provider: numbers, the connection check, and the side effects of engine steps.

What the caller hears is a TwiML document (twiml.py). Most documents are the answer to a
webhook in which Twilio asked what to do next (webhooks.py); when a step happened elsewhere
(a timer fired, a responder's call changed), the caller is moved to the new document with a
REST update. Responders' calls in hold mode are created, bridged and cancelled over REST.

Every side effect here is safe to repeat: a dispatch that runs again after a crash finds what
it did in the call's provider data (the document it delivered, the legs it created) and does
not do it twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.errors import ProviderUnavailable
from callroute.models import Call, CallLeg, PhoneNumber, ProviderConnection
from callroute.providers.base import (
    AvailableNumber,
    CallContext,
    NumberSearch,
    NumberType,
    ProviderEnv,
    Provisioned,
)
from callroute.providers.twilio import account, documents, twiml
from callroute.providers.twilio.rest import client, translated
from callroute.timers.store import TimerStore

log = structlog.get_logger(__name__)

PROVIDER = "twilio"
PRICE_DELAY = timedelta(minutes=2)  # Twilio fills in a call's price shortly after it ends
PRICE_ATTEMPTS = 5


class TwilioProvider:
    kind = PROVIDER

    def __init__(self, env: ProviderEnv) -> None:
        self.env = env
        self.urls = twiml.Urls(env.public_url)

    def client(self, connection: ProviderConnection) -> Client:
        return client(
            account.credentials(connection, self.env.secret_key),
            self.env.http,
            backoff=self.env.retry_backoff,
            max_backoff=self.env.max_retry_backoff,
        )

    # -- the connection and its numbers --------------------------------------------------------

    async def check(self, connection: ProviderConnection) -> str:
        api = self.client(connection)
        try:
            found = await api.api.v2010.accounts(api.account_sid).fetch_async()
        except TwilioException as exc:
            raise translated(exc, "Checking the Twilio account") from exc
        return f"Twilio account {found.sid} ({found.friendly_name}) is {found.status}"

    async def search_numbers(
        self, session: AsyncSession, connection: ProviderConnection, search: NumberSearch
    ) -> list[AvailableNumber]:
        api = self.client(connection)
        country = api.available_phone_numbers(search.country)
        listing = {
            NumberType.LOCAL: country.local,
            NumberType.TOLL_FREE: country.toll_free,
            NumberType.MOBILE: country.mobile,
        }[search.number_type]
        try:
            offered = await listing.list_async(
                area_code=int(search.area_code) if search.area_code else None,
                contains=search.contains,
                voice_enabled=True,
                limit=search.limit,
            )
        except TwilioException as exc:
            raise translated(exc, "Searching Twilio's available numbers") from exc
        return [
            AvailableNumber(
                number=item.phone_number,
                country=item.iso_country or search.country,
                number_type=search.number_type,
                capabilities=_capabilities(item.capabilities),
            )
            for item in offered
        ]

    async def provision(
        self,
        session: AsyncSession,
        connection: ProviderConnection,
        number: AvailableNumber,
        *,
        existing: bool,
    ) -> Provisioned:
        api = self.client(connection)
        hooks = {
            "voice_url": self.urls.voice,
            "voice_method": "POST",
            "voice_fallback_url": self.urls.voice,
            "voice_fallback_method": "POST",
            "status_callback": self.urls.status,
            "status_callback_method": "POST",
        }
        try:
            if existing:
                owned = await api.incoming_phone_numbers.list_async(
                    phone_number=number.number, limit=1
                )
                if not owned:
                    raise translated(
                        TwilioRestException(
                            404, "", msg=f"{number.number} is not a number of this account"
                        ),
                        "Attaching the number",
                    )
                row = await api.incoming_phone_numbers(owned[0].sid).update_async(**hooks)
            else:
                row = await api.incoming_phone_numbers.create_async(
                    phone_number=number.number, **hooks
                )
        except TwilioException as exc:
            doing = "Attaching the number" if existing else "Buying the number"
            raise translated(exc, doing) from exc
        capabilities = _capabilities(row.capabilities) or number.capabilities
        return Provisioned(
            AvailableNumber(number.number, number.country, number.number_type, capabilities),
            provider_sid=row.sid,
        )

    async def release(
        self, connection: ProviderConnection, number: PhoneNumber, *, give_back: bool
    ) -> None:
        if number.provider_sid is None:
            return
        resource = self.client(connection).incoming_phone_numbers(number.provider_sid)
        try:
            if give_back:
                await resource.delete_async()
            else:  # keep the number in the account, but stop sending its calls here
                await resource.update_async(voice_url="", voice_fallback_url="", status_callback="")
        except TwilioException as exc:
            if isinstance(exc, TwilioRestException) and exc.status == 404:
                return  # already gone from the account: nothing left to undo
            raise translated(exc, "Releasing the number") from exc

    # -- carrying out a step -------------------------------------------------------------------

    async def execute(
        self, session: AsyncSession, call: CallContext, commands: Sequence[m.Command], now: datetime
    ) -> None:
        # The runner holds the call's row lock; this read sees (and updates) that row.
        row = await session.get(Call, call.call_id)
        if row is None or call.connection_id is None:
            return
        connection = await session.get(ProviderConnection, call.connection_id)
        if connection is None:
            return
        step = _Step(self, session, row, connection, call.generation, now)
        await step.run(commands)

    async def run_task(
        self, session: AsyncSession, call_id: uuid.UUID, task: dict[str, Any], now: datetime
    ) -> None:
        if task.get("task") == "prices":
            await self.fetch_prices(session, call_id, int(task.get("attempt", 0)), now)

    async def fetch_prices(
        self, session: AsyncSession, call_id: uuid.UUID, attempt: int, now: datetime
    ) -> None:
        """Store what Twilio charged for the call and its responders' legs."""
        row = await session.get(Call, call_id)
        if row is None or row.connection_id is None:
            return
        connection = await session.get(ProviderConnection, row.connection_id)
        if connection is None:
            return
        api = self.client(connection)
        missing = False
        price = await _price(api, row.provider_call_id)
        if price is None:
            missing = True
        else:
            row.price, row.price_unit = price
        legs = await session.scalars(
            select(CallLeg).where(CallLeg.call_id == call_id, CallLeg.provider_leg_id.is_not(None))
        )
        for leg in legs:
            assert leg.provider_leg_id is not None
            leg_price = await _price(api, leg.provider_leg_id)
            if leg_price is None:
                missing = True
            else:
                leg.price, leg.price_unit = leg_price
        if missing and attempt + 1 < PRICE_ATTEMPTS:
            await schedule_prices(session, call_id, now, attempt + 1)


async def schedule_prices(
    session: AsyncSession, call_id: uuid.UUID, now: datetime, attempt: int = 0
) -> None:
    """Fetch the call's prices later (each retry waits twice as long)."""
    await TimerStore(session).arm(
        "provider_task",
        now + PRICE_DELAY * (2**attempt),
        now,
        call_id=call_id,
        payload={"provider": PROVIDER, "task": "prices", "attempt": attempt},
        dedupe_key=f"twilio:prices:{call_id}:{attempt}",
    )


async def _price(api: Client, sid: str) -> tuple[str, str] | None:
    try:
        fetched = await api.calls(sid).fetch_async()
    except TwilioRestException:
        return None
    if fetched.price is None:
        return None
    # Twilio reports charges as negative amounts; the record keeps what the call cost.
    return str(fetched.price).lstrip("-"), (fetched.price_unit or "USD").upper()[:3]


def _capabilities(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, dict):
        return ()
    return tuple(sorted(k.lower() for k, v in raw.items() if v is True))


class _Step:
    """The side effects of one engine step on Twilio."""

    def __init__(
        self,
        provider: TwilioProvider,
        session: AsyncSession,
        call: Call,
        connection: ProviderConnection,
        generation: int,
        now: datetime,
    ) -> None:
        self.provider = provider
        self.session = session
        self.call = call
        self.connection = connection
        self.generation = generation
        self.now = now
        self.api = provider.client(connection)
        self.state = documents.state(call)
        self.mode = documents.ring_mode(call)

    async def run(self, commands: Sequence[m.Command]) -> None:
        for command in commands:
            if isinstance(command, m.CancelLegs):
                await self._cancel(command.leg_ids)
            elif isinstance(command, m.Bridge) and self.mode is m.RingMode.HOLD:
                await self._join(command.leg_id)
            elif isinstance(command, m.RingLegs) and command.mode is m.RingMode.HOLD:
                await self._ring(command)
            elif isinstance(command, m.RingLegs):
                await self._too_many(command)
        await self._deliver(commands)
        if self.state.phase is m.Phase.ENDED and not documents.data(self.call).get("priced"):
            documents.update(self.call, priced=True)
            await schedule_prices(self.session, self.call.id, self.now)

    async def _deliver(self, commands: Sequence[m.Command]) -> None:
        """Move the caller to this step's document, unless a webhook answer already did (or
        a later step's document is the caller's by now)."""
        wanted = twiml.caller_commands(commands, self.mode)
        if not wanted or documents.delivered_generation(self.call) >= self.generation:
            return
        doc = documents.next_document(self.call, self.provider.urls)
        xml = twiml.caller_document(wanted, doc, ended=self.state.phase is m.Phase.ENDED)
        try:
            await self.api.calls(self.call.provider_call_id).update_async(twiml=xml)
        except TwilioRestException as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                # The caller's call is over (Twilio refuses to redirect it): nothing to move.
                log.info("twilio_caller_gone", call_id=str(self.call.id), code=exc.code)
                documents.mark_delivered(self.call, self.generation)
                return
            raise ProviderUnavailable(f"moving the caller failed: {exc.msg}") from exc
        documents.record(self.call, doc, xml, self.generation, twiml.dialled_legs(wanted))

    async def _ring(self, command: m.RingLegs) -> None:
        active = {leg.leg_id for leg in self.state.legs if not leg.status.finished}
        created = documents.leg_sids(self.call)
        for leg in command.legs:
            if leg.leg_id not in active or leg.leg_id in created:
                continue  # given up on already, or created by an earlier run of this step
            urls = {"call": self.call.id, "leg": leg.leg_id}
            try:
                made = await self.api.calls.create_async(
                    to=leg.number,
                    # A REST call may only show a number of the account: the router's.
                    from_=self.call.to_number,
                    url=self.provider.urls.url("screen", **urls),
                    method="POST",
                    status_callback=self.provider.urls.url("leg", **urls),
                    status_callback_event=twiml.LEG_EVENTS.split(),
                    status_callback_method="POST",
                    timeout=command.timeout_seconds,
                )
            except (TwilioRestException, ProviderUnavailable) as exc:
                message = exc.msg if isinstance(exc, TwilioRestException) else exc.message
                await self._event(f"create:{leg.leg_id}", m.ProviderError(message, leg.leg_id))
                continue
            await documents.record_leg(self.session, self.call, leg.leg_id, made.sid)

    async def _too_many(self, command: m.RingLegs) -> None:
        for leg in command.legs[twiml.MAX_DIAL_NUMBERS :]:
            await self._event(
                f"too-many:{leg.leg_id}",
                m.ProviderError(
                    f"Twilio rings at most {twiml.MAX_DIAL_NUMBERS} numbers at once", leg.leg_id
                ),
            )

    async def _cancel(self, leg_ids: Sequence[str]) -> None:
        sids = documents.leg_sids(self.call)
        for leg_id in leg_ids:
            sid = sids.get(leg_id)
            if sid is None or leg_id in documents.joined(self.call):
                continue
            try:
                # "completed" ends a call that is ringing inside a <Dial> or answered alike.
                await self.api.calls(sid).update_async(status="completed")
            except TwilioRestException as exc:
                if exc.status is None or exc.status >= 500:
                    raise ProviderUnavailable(f"hanging up a responder failed: {exc.msg}") from exc
                # 4xx: that call has ended already.

    async def _join(self, leg_id: str) -> None:
        if leg_id in documents.joined(self.call):
            return  # the responder's own webhook answer did it
        sid = documents.leg_sids(self.call).get(leg_id)
        if sid is None:
            return
        try:
            await self.api.calls(sid).update_async(twiml=twiml.join_caller(self.call.id))
        except TwilioRestException as exc:
            await self._event(f"join:{leg_id}", m.ProviderError(exc.msg, leg_id))
            return
        documents.add_joined(self.call, leg_id)

    async def _event(self, key: str, event: m.Event) -> None:
        """Report back to the engine what Twilio did (or refused), through the inbox."""
        event_id = f"twilio:{self.call.id}:{self.generation}:{key}"
        await TimerStore(self.session).arm(
            "provider_event",
            self.now,
            self.now,
            call_id=self.call.id,
            payload={
                "event": codec.event_to_dict(event),
                "event_id": event_id,
                "provider": PROVIDER,
            },
            dedupe_key=event_id,
        )
