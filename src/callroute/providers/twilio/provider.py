"""The Twilio provider: numbers, the connection check, and the adapter of a call's steps.

What the caller hears is a TwiML document (twiml.py). Most documents are the answer to a
webhook in which Twilio asked what to do next (handling.py, through ``calls.ingress``); when a
step happened elsewhere (a timer fired, a responder's call changed), the caller is moved to
the new document with a REST update. Responders' calls in hold mode are created, bridged and
cancelled over REST. steps.py decides (pure), requests.py talks to Twilio (no transaction
open); ``calls.dispatch`` runs them in that order and writes what they decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

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
    NumberType,
    Outcome,
    ProviderEnv,
    Provisioned,
    Step,
    TakenNumbers,
)
from callroute.providers.twilio import account, recordings, requests, state, steps, twiml
from callroute.providers.twilio.rest import client, translated
from callroute.providers.twilio.state import TwilioCall

PROVIDER = "twilio"


class TwilioProvider:
    kind = PROVIDER

    def __init__(self, env: ProviderEnv) -> None:
        self.env = env
        self.urls = twiml.Urls(env.public_url)

    def client(self, connection: ProviderConnection) -> Client:
        return client(
            account.credentials(connection, self.env.secret_keys),
            self.env.http,
            backoff=self.env.retry_backoff,
            max_backoff=self.env.max_retry_backoff,
            base_url=self.env.twilio_api_url,
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
        self, connection: ProviderConnection, search: NumberSearch, taken: TakenNumbers
    ) -> list[AvailableNumber]:
        # Twilio offers only numbers nobody holds: ``taken`` has nothing to add.
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

    async def recording(
        self, connection: ProviderConnection | None, url: str, duration_seconds: int
    ) -> Audio:
        if connection is None:
            raise NotFound("recording: the call has no Twilio connection any more")
        credentials = account.credentials(connection, self.env.secret_keys)
        return await recordings.fetch(self.env.http, credentials, url, self.env.twilio_api_url)

    # -- per-call data and the call's steps (steps.py, requests.py) --------------------------

    def load(self, raw: dict[str, Any]) -> TwilioCall:
        return state.load(raw)

    def dump(self, data: TwilioCall) -> dict[str, Any]:
        return state.dump(data)

    def plan(
        self, call: CallView[TwilioCall], generation: int, commands: Sequence[m.Command]
    ) -> Outcome[TwilioCall]:
        return steps.plan(call, self.urls, generation, commands)

    async def perform(
        self,
        connection: ProviderConnection,
        call: CallView[TwilioCall],
        effect: Effect,
        *,
        retried: bool,
    ) -> EffectResult:
        return await requests.perform(
            self.client(connection), self.urls, call, effect, retried=retried
        )

    def settle(
        self, call: CallView[TwilioCall], effect: Effect, result: EffectResult
    ) -> Outcome[TwilioCall]:
        return steps.settle(call, self.urls, effect, result)

    def answered(self, call: CallView[TwilioCall], step: Step) -> TwilioCall | None:
        return steps.answered(call, self.urls, step)

    async def run_task(
        self, connection: ProviderConnection, call: CallView[TwilioCall], task: dict[str, Any]
    ) -> Outcome[TwilioCall]:
        if task.get("task") == "prices":
            return await requests.prices(self.client(connection), call, int(task.get("attempt", 0)))
        return Outcome()


def _capabilities(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, dict):
        return ()
    return tuple(sorted(k.lower() for k, v in raw.items() if v is True))
