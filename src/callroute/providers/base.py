"""What the rest of callroute needs from a telephony provider.

A provider is an adapter (docs/architecture.md has the picture). It never drives the call
runtime, builds queries or touches timers; it works on plain values that ``calls/`` hands it
and returns plain values that ``calls/`` applies:

- **numbers and the connection** (search, provision, release, check): called by the numbers
  and connections services, which hand over what the database knows (``TakenNumbers``);
- **carrying out a step** in three parts, so that no network request ever waits inside a
  database transaction: :meth:`Provider.plan` (pure, under the call's lock: what the step's
  commands mean for this provider, and which requests to make), :meth:`Provider.perform` (one
  request, with no transaction or lock held), :meth:`Provider.settle` (pure, under the call's
  lock again: what the answer means for the call);
- **answering a webhook** with a step's commands (:meth:`Provider.answered`, the mid-step hook),
  for providers whose webhooks answer with the caller's next instructions (TwiML, NCCO).

Per-call data a provider keeps (the document it handed out, its call ids for the responders'
legs, ...) is its own typed, versioned value, stored on the call through its ``load``/``dump``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

import httpx

from callroute.crypto import SecretKeys
from callroute.engine.callflow import model as m
from callroute.models import PhoneNumber, ProviderConnection

Json = dict[str, Any]
D = TypeVar("D")
# Which of some numbers (E.164) a project holds already: a search leaves them out.
TakenNumbers = Callable[[Sequence[str]], Awaitable[set[str]]]


class NumberType(StrEnum):
    LOCAL = "local"
    TOLL_FREE = "toll_free"
    MOBILE = "mobile"


@dataclass(frozen=True)
class AvailableNumber:
    number: str  # E.164
    country: str
    number_type: NumberType
    capabilities: tuple[str, ...] = ("voice", "sms")


@dataclass(frozen=True)
class NumberSearch:
    country: str  # ISO 3166 alpha-2
    number_type: NumberType = NumberType.LOCAL
    contains: str | None = None  # digits (a leading + anchors them at the start)
    area_code: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class Provisioned:
    """A number the provider now routes to callroute."""

    number: AvailableNumber
    provider_sid: str | None = None


@dataclass(frozen=True)
class Audio:
    """A recording's sound, as the provider serves it."""

    content_type: str  # audio/mpeg, audio/wav ...
    body: bytes


@dataclass(frozen=True)
class ProviderEnv:
    """What adapters that talk to a network need from the process."""

    secret_keys: SecretKeys  # decrypt the connection's credentials
    public_url: str  # where the provider reaches callroute's webhooks
    http: httpx.AsyncClient
    retry_backoff: float = 0.25  # first wait before a retried request; doubles each time
    max_retry_backoff: float = 4.0  # longest wait, a provider's Retry-After included
    twilio_api_url: str | None = None  # Twilio's REST API elsewhere (CALLROUTE_TWILIO_API_URL)


# -- a call, as an adapter sees it -------------------------------------------------------------


@dataclass(frozen=True)
class CallView(Generic[D]):
    """The call an adapter acts on, read under the call's row lock."""

    call_id: uuid.UUID
    project_id: uuid.UUID
    connection_id: uuid.UUID | None
    provider_call_id: str
    direction: str  # inbound | outbound
    from_number: str
    to_number: str
    generation: int  # the call's newest step
    state: m.CallState  # as the newest step left it
    ring_mode: m.RingMode
    hold_music_url: str | None  # what a waiting caller hears (the router's, in hold mode)
    data: D  # the adapter's own per-call data


@dataclass(frozen=True)
class Step:
    """One engine step that a webhook is answering: its generation and provider commands."""

    generation: int
    commands: tuple[m.Command, ...]


@dataclass(frozen=True)
class Effect:
    """One request to the provider, recorded as an intent before it is made: if the process
    dies after sending it, the next attempt knows it may have gone out (``perform`` is told,
    and looks for what the first attempt created instead of creating it again)."""

    key: str  # unique within the call
    kind: str
    params: Json = field(default_factory=dict)
    recorded_at: datetime | None = None  # when the intent was recorded


@dataclass(frozen=True)
class EffectResult:
    ok: bool
    data: Json = field(default_factory=dict)
    code: str | None = None  # the provider's error code when it refused
    message: str | None = None

    def to_dict(self) -> Json:
        return {"ok": self.ok, "data": self.data, "code": self.code, "message": self.message}

    @classmethod
    def from_dict(cls, raw: Json) -> EffectResult:
        return cls(
            bool(raw.get("ok")), dict(raw.get("data") or {}), raw.get("code"), raw.get("message")
        )


@dataclass(frozen=True)
class ProviderEvent:
    """An event for the engine, delivered once through the inbox: now, or ``after_seconds``
    from now (the simulator's scripted phones). ``leg_id`` lets a later step cancel it."""

    event_id: str
    event: m.Event
    after_seconds: float = 0.0
    leg_id: str | None = None


@dataclass(frozen=True)
class ProviderTask:
    """Later work of the provider's about the call (Twilio: fetch the prices)."""

    key: str
    after_seconds: float
    payload: Json


@dataclass
class Outcome(Generic[D]):
    """What ``plan``/``settle``/``run_task`` decided; ``calls/`` writes it under the call's
    lock, in the same transaction."""

    data: D | None = None  # the adapter's new per-call data (None: unchanged)
    events: list[ProviderEvent] = field(default_factory=list)
    cancel_events_of_legs: tuple[str, ...] = ()  # drop scheduled events of these legs
    leg_refs: dict[str, str] = field(default_factory=dict)  # leg id -> the provider's id
    timeline: list[tuple[str, Json]] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)  # requests to make next
    tasks: list[ProviderTask] = field(default_factory=list)
    # What the provider charged: None is the call's own leg, a leg id a responder's leg.
    prices: dict[str | None, tuple[str, str]] = field(default_factory=dict)


class Provider(Protocol[D]):
    kind: str

    # -- numbers and the connection ------------------------------------------------------------

    async def search_numbers(
        self, connection: ProviderConnection, search: NumberSearch, taken: TakenNumbers
    ) -> list[AvailableNumber]:
        """Numbers the connection could provision now; ``taken`` says which of the numbers a
        provider made up are held already (one whose account offers only free ones ignores
        it)."""
        ...

    async def provision(
        self,
        connection: ProviderConnection,
        number: AvailableNumber,
        *,
        existing: bool,
    ) -> Provisioned:
        """Buy ``number`` (or take over one the account has, ``existing``) and point its
        webhooks at callroute."""
        ...

    async def release(
        self, connection: ProviderConnection, number: PhoneNumber, *, give_back: bool
    ) -> None:
        """Stop routing ``number`` to callroute; ``give_back``: also return it to the
        provider (it stops being billed)."""
        ...

    async def check(self, connection: ProviderConnection) -> str:
        """Raise when the connection cannot work; a line saying what was checked otherwise."""
        ...

    async def recording(
        self, connection: ProviderConnection | None, url: str, duration_seconds: int
    ) -> Audio:
        """A recording's audio, fetched with the connection's credentials (which never leave
        the server). Raises ``NotFound`` when the provider has no such recording,
        ``ProviderUnavailable`` when it cannot be reached."""
        ...

    # -- per-call data -------------------------------------------------------------------------

    def load(self, raw: Json) -> D:
        """The per-call data as stored (any earlier version of it included)."""
        ...

    def dump(self, data: D) -> Json: ...

    # -- carrying out a step -------------------------------------------------------------------

    def plan(self, call: CallView[D], generation: int, commands: Sequence[m.Command]) -> Outcome[D]:
        """What step ``generation``'s commands mean on this provider: data and events now,
        and the requests (``effects``) to make after the transaction ends. Pure."""
        ...

    async def perform(
        self,
        connection: ProviderConnection,
        call: CallView[D],
        effect: Effect,
        *,
        retried: bool,
    ) -> EffectResult:
        """Make one request; no transaction is open. ``retried``: an earlier attempt may have
        made it already (look before creating). Raises ``ProviderUnavailable`` to be tried
        again later; a refusal is a result (``ok=False``), not an exception."""
        ...

    def settle(self, call: CallView[D], effect: Effect, result: EffectResult) -> Outcome[D]:
        """What a request's result means for the call as it is now (it may have moved on
        while the request was out). Pure."""
        ...

    # -- webhooks ------------------------------------------------------------------------------

    def answered(self, call: CallView[D], step: Step) -> D | None:
        """The mid-step hook: a webhook of this provider is waiting while ``step`` is applied,
        and will answer with its commands. Return the data that records so (the dispatch will
        then not push them again), or None when the step has nothing for the answer."""
        ...

    # -- later work ----------------------------------------------------------------------------

    async def run_task(
        self, connection: ProviderConnection, call: CallView[D], task: Json
    ) -> Outcome[D]:
        """A ``ProviderTask`` that fell due; no transaction is open."""
        ...
