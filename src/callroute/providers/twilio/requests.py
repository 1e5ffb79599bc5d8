"""The REST requests of a step (see steps.py), made with no transaction open.

A refusal is a result (``ok=False`` with Twilio's code and message); an outage raises
``ProviderUnavailable`` so the dispatch is tried again later, except when creating a
responder's call, where an outage counts as that leg failing: escalation must go on, not wait.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from callroute.errors import ProviderUnavailable
from callroute.providers.base import CallView, Effect, EffectResult, Outcome
from callroute.providers.twilio import steps, twiml
from callroute.providers.twilio.rest import twilio_message
from callroute.providers.twilio.state import TwilioCall

View = CallView[TwilioCall]
# How long before an intent's recording a call Twilio created for it may have been made
# (clock differences between callroute's hosts and Twilio's).
_LOOKUP_SKEW = timedelta(minutes=2)
_LIVE = {"queued", "initiated", "ringing", "in-progress"}


async def perform(
    api: Client, urls: twiml.Urls, call: View, effect: Effect, *, retried: bool
) -> EffectResult:
    params = effect.params
    try:
        if effect.kind == "create_leg":
            return await _create_leg(api, urls, call, effect, retried=retried)
        if effect.kind == "move_caller":
            target = api.calls(call.provider_call_id)
            if "twiml" in params:
                await target.update_async(twiml=params["twiml"])
            else:
                await target.update_async(url=params["url"], method="POST")
            return EffectResult(True)
        if effect.kind == "join":
            await api.calls(params["sid"]).update_async(twiml=twiml.join_caller(call.call_id))
            return EffectResult(True)
        if effect.kind == "hangup":
            # "completed" ends a call that is ringing or answered alike.
            await api.calls(params["sid"]).update_async(status="completed")
            return EffectResult(True)
    except TwilioRestException as exc:
        if exc.status is None or exc.status >= 500:
            raise ProviderUnavailable(f"Twilio failed ({effect.kind}): {exc.msg}") from exc
        if effect.kind == "hangup":
            return EffectResult(True)  # 4xx: that call has ended already
        return _refused(exc)
    raise ValueError(f"unknown Twilio request {effect.kind!r}")


async def _create_leg(
    api: Client, urls: twiml.Urls, call: View, effect: Effect, *, retried: bool
) -> EffectResult:
    params = effect.params
    if retried:  # the first attempt may have created it before the process died
        found = await _created_earlier(api, params, effect)
        if found is not None:
            return EffectResult(True, {"sid": found, "found": True})
    query = {"call": call.call_id, "leg": params["leg"]}
    try:
        made = await api.calls.create_async(
            to=params["to"],
            from_=params["from"],
            url=urls.url("screen", **query),
            method="POST",
            status_callback=urls.url("leg", **query),
            status_callback_event=twiml.LEG_EVENTS.split(),
            status_callback_method="POST",
            timeout=params["timeout"],
        )
    except ProviderUnavailable as exc:
        return EffectResult(False, code=None, message=exc.message)
    except TwilioRestException as exc:
        return _refused(exc)
    return EffectResult(True, {"sid": made.sid})


async def _created_earlier(api: Client, params: dict[str, Any], effect: Effect) -> str | None:
    """A call to the same number from the same number, created since the intent was."""
    since = effect.recorded_at - _LOOKUP_SKEW if effect.recorded_at else None
    try:
        found = await api.calls.list_async(
            to=params["to"],
            from_=params["from"],
            start_time_after=since,
            limit=20,
        )
    except TwilioRestException:
        return None
    for item in found:
        created = getattr(item, "date_created", None)
        if since is not None and created is not None and created < since:
            continue
        if (item.status or "") in _LIVE:
            return str(item.sid)
    return None


def _refused(exc: TwilioRestException) -> EffectResult:
    return EffectResult(
        False, code=str(exc.code) if exc.code else None, message=twilio_message(exc)
    )


# -- prices ------------------------------------------------------------------------------------


async def prices(api: Client, call: View, attempt: int) -> Outcome[TwilioCall]:
    """What Twilio charged for the call and its responders' legs; asks again later (up to
    ``PRICE_ATTEMPTS`` times) while a price is still missing."""
    out: Outcome[TwilioCall] = Outcome()
    missing = False
    sids: dict[str | None, str] = {None: call.provider_call_id}
    sids.update(call.data.legs)
    for leg, sid in sids.items():
        price = await _price(api, sid)
        if price is None:
            missing = True
        else:
            out.prices[leg] = price
    if missing and attempt + 1 < steps.PRICE_ATTEMPTS:
        out.tasks.append(steps.prices_task(attempt + 1))
    return out


async def _price(api: Client, sid: str) -> tuple[str, str] | None:
    try:
        fetched = await api.calls(sid).fetch_async()
    except (TwilioRestException, ProviderUnavailable):
        return None
    if fetched.price is None:
        return None
    # Twilio reports charges as negative amounts; the record keeps what the call cost.
    return str(fetched.price).lstrip("-"), (fetched.price_unit or "USD").upper()[:3]
