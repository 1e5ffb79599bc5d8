"""What an engine step means on Twilio, and what Twilio's answers mean for the call. Pure.

``plan`` turns a step's commands into the per-call data and the REST requests to make after
the step's transaction (``requests.py`` makes them); ``settle`` reads a request's result
against the call as it is now; ``answered`` is the mid-step hook of webhooks that answer with
the caller's next document.

Requests (``Effect.kind``):
- ``move_caller``: replace the caller's document (a step that happened outside a webhook of
  the caller's: a timer, a responder's leg). Inline TwiML up to Twilio's 4,000 characters,
  otherwise a redirect to the document's URL at callroute;
- ``create_leg``: call a responder (hold mode); ``join``: give the caller to the responder who
  accepted (hold mode); ``hangup``: end a responder's call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from callroute.engine.callflow import model as m
from callroute.providers.base import (
    CallView,
    Effect,
    EffectResult,
    Outcome,
    ProviderEvent,
    ProviderTask,
)
from callroute.providers.base import Step as WebhookStep
from callroute.providers.twilio import twiml
from callroute.providers.twilio.state import TwilioCall

View = CallView[TwilioCall]
PRICE_DELAY_SECONDS = 120  # Twilio fills in a call's price shortly after it ends
PRICE_ATTEMPTS = 5
CALLER_GONE = "21220"  # "Call is not in-progress. Cannot redirect."


def plan(
    call: View, urls: twiml.Urls, generation: int, commands: Sequence[m.Command]
) -> Outcome[TwilioCall]:
    data = call.data
    out: Outcome[TwilioCall] = Outcome()
    active = {leg.leg_id for leg in call.state.legs if not leg.status.finished}
    for command in commands:
        if isinstance(command, m.CancelLegs):
            data, hangups = _hang_up(data, generation, command.leg_ids)
            out.effects += hangups
        elif isinstance(command, m.Bridge) and call.ring_mode is m.RingMode.HOLD:
            sid = data.legs.get(command.leg_id)
            if sid is not None and command.leg_id not in data.joined:
                key = f"{generation}:join:{command.leg_id}"
                out.effects.append(Effect(key, "join", {"leg": command.leg_id, "sid": sid}))
        elif isinstance(command, m.RingLegs) and command.mode is m.RingMode.HOLD:
            for leg in command.legs:
                if leg.leg_id in active and leg.leg_id not in data.legs:
                    out.effects.append(_create(call, generation, command, leg))
        elif isinstance(command, m.RingLegs):
            for leg in command.legs[twiml.MAX_DIAL_NUMBERS :]:
                message = f"Twilio rings at most {twiml.MAX_DIAL_NUMBERS} numbers at once"
                out.events.append(
                    ProviderEvent(
                        f"twilio:{call.call_id}:{generation}:too-many:{leg.leg_id}",
                        m.ProviderError(message, leg.leg_id),
                    )
                )
    wanted = twiml.caller_commands(commands, call.ring_mode)
    if wanted and data.delivered < generation:
        doc = _document(call, urls, data.doc + 1)
        xml = twiml.caller_document(wanted, doc, ended=call.state.phase is m.Phase.ENDED)
        dialled = tuple(twiml.dialled_legs(wanted))
        data = data.handed_out(doc.number, xml, dialled).delivered_up_to(generation)
        if data.pushing == 0:  # else the push in flight sends this one when it settles
            data, push = _push(call, urls, data, generation)
            out.effects.append(push)
    if call.state.phase is m.Phase.ENDED and not data.priced:
        data = replace(data, priced=True)
        out.tasks.append(prices_task(0))
    out.data = data if data != call.data else None
    return out


def prices_task(attempt: int) -> ProviderTask:
    """Fetch the call's prices later (each retry waits twice as long)."""
    return ProviderTask(
        f"prices:{attempt}",
        PRICE_DELAY_SECONDS * (2**attempt),
        {"task": "prices", "attempt": attempt},
    )


def _push(
    call: View, urls: twiml.Urls, data: TwilioCall, generation: int
) -> tuple[TwilioCall, Effect]:
    """Move the caller to the current document over REST."""
    assert data.xml is not None
    params: dict[str, object] = {"doc": data.doc, "dialled": list(data.dialled.get(data.doc, ()))}
    if len(data.xml) <= twiml.MAX_INLINE_TWIML:
        params["twiml"] = data.xml
    else:  # too long to send inline: Twilio fetches it from us
        params["url"] = urls.url("document", call=call.call_id, d=data.doc)
    effect = Effect(f"{generation}:move_caller:{data.doc}", "move_caller", params)
    return replace(data, pushing=data.doc), effect


def _hang_up(
    data: TwilioCall, generation: int, leg_ids: Sequence[str]
) -> tuple[TwilioCall, list[Effect]]:
    """End responders' calls, each once. A leg without a sid yet is being created: settling
    its creation hangs it up."""
    effects = []
    for leg_id in leg_ids:
        sid = data.legs.get(leg_id)
        if sid is None or leg_id in data.joined or leg_id in data.hung_up:
            continue
        effects.append(Effect(f"{generation}:hangup:{leg_id}", "hangup", {"sid": sid}))
        data = replace(data, hung_up=data.hung_up | {leg_id})
    return data, effects


def _create(call: View, generation: int, ring: m.RingLegs, leg: m.Leg) -> Effect:
    return Effect(
        f"{generation}:create_leg:{leg.leg_id}",
        "create_leg",
        {
            "leg": leg.leg_id,
            "to": leg.number,
            # A REST call may only show a number of the account: the router's.
            "from": call.to_number,
            "timeout": twiml.dial_timeout(ring.timeout_seconds),
        },
    )


def _document(call: View, urls: twiml.Urls, number: int) -> twiml.Document:
    return twiml.Document(
        urls=urls,
        call_id=call.call_id,
        number=number,
        router_number=call.to_number,
        hold_music_url=call.hold_music_url,
    )


# -- results -----------------------------------------------------------------------------------


def settle(
    call: View, urls: twiml.Urls, effect: Effect, result: EffectResult
) -> Outcome[TwilioCall]:
    out: Outcome[TwilioCall] = Outcome()
    data = call.data
    leg = str(effect.params.get("leg", ""))
    generation = int(effect.key.split(":", 1)[0])
    event_id = f"twilio:{call.call_id}:{effect.key}"
    if effect.kind == "create_leg":
        if result.ok:
            sid = str(result.data["sid"])
            data = data.with_leg(leg, sid)
            out.leg_refs[leg] = sid
            still_wanted = any(x.leg_id == leg and not x.status.finished for x in call.state.legs)
            if not still_wanted:  # the call moved on while the leg was being created
                data, hangups = _hang_up(data, generation, [leg])
                out.effects += hangups
        else:
            out.events.append(ProviderEvent(event_id, m.ProviderError(_refusal(result), leg)))
    elif effect.kind == "join":
        if result.ok:
            data = data.with_joined(leg)
        else:
            out.events.append(ProviderEvent(event_id, m.ProviderError(_refusal(result), leg)))
    elif effect.kind == "move_caller":
        data, more = _moved(call, urls, data, effect, result, generation, event_id)
        out.effects += more.effects
        out.events += more.events
        out.timeline += more.timeline
    out.data = data if data != call.data else None
    return out


def _moved(
    call: View,
    urls: twiml.Urls,
    data: TwilioCall,
    effect: Effect,
    result: EffectResult,
    generation: int,
    event_id: str,
) -> tuple[TwilioCall, Outcome[TwilioCall]]:
    out: Outcome[TwilioCall] = Outcome()
    doc = int(effect.params["doc"])
    if data.pushing == doc:
        data = replace(data, pushing=0)
    detail = {"code": result.code, "message": result.message, "doc": doc}
    if result.ok:
        data = replace(data, sent=max(data.sent, doc))
    elif result.code == CALLER_GONE:
        out.timeline.append(("caller_gone", detail))
        out.events.append(ProviderEvent(f"{event_id}:gone", m.CallerHungUp()))
        return data, out
    else:
        # Twilio refused the document: nobody it would have dialled is rung, and the engine
        # hears so (each leg fails with Twilio's code); a document without legs fails the call.
        out.timeline.append(("provider_rejected", detail))
        refusal = _refusal(result)
        legs = [str(x) for x in effect.params.get("dialled", [])]
        for leg in legs:
            out.events.append(ProviderEvent(f"{event_id}:{leg}", m.ProviderError(refusal, leg)))
        if not legs:
            out.events.append(ProviderEvent(event_id, m.ProviderError(refusal)))
    if data.doc != doc and data.xml and data.pushing == 0:
        # A newer document was handed out while this one was on its way: a webhook's answer
        # (which this update may have replaced at Twilio) or a later step's, which waited for
        # this push. Either way the caller is given the newest.
        data, again = _push(call, urls, data, generation)
        out.effects.append(again)
    return data, out


def _refusal(result: EffectResult) -> str:
    if result.code:
        return f"Twilio error {result.code}: {result.message}"
    return f"Twilio: {result.message}"


# -- webhook answers ---------------------------------------------------------------------------


def answered(call: View, urls: twiml.Urls, step: WebhookStep) -> TwilioCall | None:
    """A caller-document webhook answers with this step's caller commands."""
    wanted = twiml.caller_commands(step.commands, call.ring_mode)
    if not wanted:
        return None
    return render(call, urls, call.data, wanted, step.generation)


def render(
    call: View,
    urls: twiml.Urls,
    data: TwilioCall,
    commands: Sequence[m.Command],
    generation: int,
) -> TwilioCall:
    """The caller's next document, handed out now (as a webhook's answer)."""
    doc = _document(call, urls, data.doc + 1)
    xml = twiml.caller_document(commands, doc, ended=call.state.phase is m.Phase.ENDED)
    dialled = tuple(twiml.dialled_legs(commands))
    answered = data.handed_out(doc.number, xml, dialled, sent=doc.number)
    return answered.delivered_up_to(generation)
