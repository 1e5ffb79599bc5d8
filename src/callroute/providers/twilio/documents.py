"""What callroute keeps about a Twilio call, in the call's ``provider_data``.

- ``doc``, ``xml``: the caller's current TwiML document and its number (callback URLs carry
  it, so a callback from a replaced document is recognised);
- ``delivered``: the last engine generation whose caller commands reached the caller (as a
  webhook answer or a REST update): a later dispatch of an older step must not move the
  caller back;
- ``dialled``: document number -> the legs its ``<Dial>`` rang (dial mode);
- ``legs``: responder leg id -> Twilio call sid; ``joined``: legs given the caller (hold mode);
- ``account_sid``, ``priced``.

Always read and written under the call's row lock (a webhook or a dispatch holds it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.models import Call, CallLeg
from callroute.providers.twilio.twiml import Document, Urls


def state(call: Call) -> m.CallState:
    """The engine's state of the call, as last stepped."""
    return codec.state_from_dict(call.state) if call.state else m.CallState()


def ring_mode(call: Call) -> m.RingMode:
    """How the call's router rings responders (dial or hold), from its snapshot."""
    return m.RingMode(call.snapshot.get("ringing", {}).get("mode", "dial"))


def data(call: Call) -> dict[str, Any]:
    return dict(call.provider_data or {})


def update(call: Call, **values: Any) -> None:
    # A new dict: the JSON column is compared by value, not tracked in place.
    call.provider_data = {**(call.provider_data or {}), **values}


def delivered_generation(call: Call) -> int:
    return int(data(call).get("delivered", 0))


def current(call: Call) -> tuple[int, str | None]:
    stored = data(call)
    return int(stored.get("doc", 0)), stored.get("xml")


def next_document(call: Call, urls: Urls) -> Document:
    number, _ = current(call)
    return Document(urls=urls, call_id=call.id, number=number + 1, router_number=call.to_number)


_DIALLED_KEPT = 8  # documents whose dialled legs are remembered (for late Dial callbacks)


def record(call: Call, doc: Document, xml: str, generation: int, dialled: list[str]) -> None:
    kept = dict(data(call).get("dialled", {}))
    if dialled:
        kept[str(doc.number)] = dialled
    kept = {k: kept[k] for k in sorted(kept, key=int)[-_DIALLED_KEPT:]}
    update(
        call,
        doc=doc.number,
        xml=xml,
        delivered=max(generation, delivered_generation(call)),
        dialled=kept,
    )


def mark_delivered(call: Call, generation: int) -> None:
    update(call, delivered=max(generation, delivered_generation(call)))


def dialled(call: Call, doc: int) -> list[str]:
    """The legs document ``doc`` dialled (dial mode)."""
    return list(data(call).get("dialled", {}).get(str(doc), []))


def leg_sids(call: Call) -> dict[str, str]:
    return dict(data(call).get("legs", {}))


async def record_leg(session: AsyncSession, call: Call, leg_id: str, sid: str) -> None:
    """A responder leg's Twilio call sid, kept once: in the provider data (to hang the leg up)
    and on the leg's row (to fetch its price)."""
    if leg_sids(call).get(leg_id) == sid:
        return
    update(call, legs={**leg_sids(call), leg_id: sid})
    row = await session.scalar(
        select(CallLeg).where(CallLeg.call_id == call.id, CallLeg.leg_key == leg_id)
    )
    if row is not None:
        row.provider_leg_id = sid


def joined(call: Call) -> set[str]:
    return set(data(call).get("joined", []))


def add_joined(call: Call, leg_id: str) -> None:
    update(call, joined=sorted(joined(call) | {leg_id}))
