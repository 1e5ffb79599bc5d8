"""What callroute keeps about a Twilio call: a typed, versioned value stored on the call.

Read and replaced only under the call's row lock (a webhook or a dispatch holds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

VERSION = 1
DIALLED_KEPT = 8  # documents whose dialled legs are remembered (for late Dial callbacks)


@dataclass(frozen=True)
class TwilioCall:
    account_sid: str = ""
    # The caller's current TwiML document, by number (every callback URL in it carries the
    # number, so a callback from a replaced document is recognised), and its markup.
    doc: int = 0
    xml: str | None = None
    # The newest engine step whose caller commands have been handed out as a document (the
    # answer to a webhook, or one to push over REST): an older step must not move the caller.
    delivered: int = 0
    # The newest document known to have reached Twilio (answered, fetched, or pushed).
    sent: int = 0
    # The document on its way to Twilio over REST (0: none). One push at a time: a push that
    # settles sends the current document if it is newer than the one it carried.
    pushing: int = 0
    # The document number whose callback the current document answered (a retried callback
    # is answered with the same document).
    answer_to: int | None = None
    dialled: dict[int, tuple[str, ...]] = field(default_factory=dict)  # doc -> legs (dial mode)
    legs: dict[str, str] = field(default_factory=dict)  # responder leg id -> Twilio CallSid
    joined: frozenset[str] = frozenset()  # hold mode: legs given the caller
    hung_up: frozenset[str] = frozenset()  # legs callroute has ended at Twilio
    priced: bool = False  # the price fetch is scheduled

    def handed_out(
        self, doc: int, xml: str, dialled: tuple[str, ...], **changes: Any
    ) -> TwilioCall:
        """A new caller document: its number, markup and the legs it dials."""
        kept = dict(self.dialled)
        if dialled:
            kept[doc] = dialled
        kept = {k: kept[k] for k in sorted(kept)[-DIALLED_KEPT:]}
        return replace(self, doc=doc, xml=xml, dialled=kept, **changes)

    def delivered_up_to(self, generation: int) -> TwilioCall:
        return replace(self, delivered=max(self.delivered, generation))

    def with_leg(self, leg_id: str, sid: str) -> TwilioCall:
        return replace(self, legs={**self.legs, leg_id: sid})

    def with_joined(self, leg_id: str) -> TwilioCall:
        return replace(self, joined=self.joined | {leg_id})


def load(raw: dict[str, Any]) -> TwilioCall:
    """The stored value; a value without a version is the first version's layout."""
    version = int(raw.get("v", VERSION))
    if version != VERSION:
        raise ValueError(f"unknown Twilio call data version {version}")
    answer_to = raw.get("answer_to")
    return TwilioCall(
        account_sid=str(raw.get("account_sid", "")),
        doc=int(raw.get("doc", 0)),
        xml=raw.get("xml"),
        delivered=int(raw.get("delivered", 0)),
        sent=int(raw.get("sent", raw.get("doc", 0))),
        pushing=int(raw.get("pushing", 0)),
        answer_to=None if answer_to is None else int(answer_to),
        dialled={int(k): tuple(v) for k, v in dict(raw.get("dialled", {})).items()},
        legs={str(k): str(v) for k, v in dict(raw.get("legs", {})).items()},
        joined=frozenset(raw.get("joined", [])),
        hung_up=frozenset(raw.get("hung_up", [])),
        priced=bool(raw.get("priced", False)),
    )


def dump(call: TwilioCall) -> dict[str, Any]:
    return {
        "v": VERSION,
        "account_sid": call.account_sid,
        "doc": call.doc,
        "xml": call.xml,
        "delivered": call.delivered,
        "sent": call.sent,
        "pushing": call.pushing,
        "answer_to": call.answer_to,
        "dialled": {str(k): list(v) for k, v in call.dialled.items()},
        "legs": dict(call.legs),
        "joined": sorted(call.joined),
        "hung_up": sorted(call.hung_up),
        "priced": call.priced,
    }
