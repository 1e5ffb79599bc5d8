"""What the rest of callroute needs from a telephony provider."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.callflow.model import Command
from callroute.models import PhoneNumber, ProviderConnection


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
class CallContext:
    """What an adapter knows about the call it acts on."""

    call_id: uuid.UUID
    project_id: uuid.UUID
    connection_id: uuid.UUID | None
    provider_call_id: str
    generation: int  # with the command index, the idempotency key of a side effect
    provider_data: dict[str, Any]


@dataclass(frozen=True)
class ProviderEnv:
    """What adapters that talk to a network need from the process."""

    secret_key: str  # decrypts the connection's credentials
    public_url: str  # where the provider reaches callroute's webhooks
    http: httpx.AsyncClient
    retry_backoff: float = 0.25  # first wait before a retried request; doubles each time
    max_retry_backoff: float = 4.0  # longest wait, a provider's Retry-After included


class Provider(Protocol):
    kind: str

    async def search_numbers(
        self, session: AsyncSession, connection: ProviderConnection, search: NumberSearch
    ) -> list[AvailableNumber]: ...

    async def provision(
        self,
        session: AsyncSession,
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

    async def run_task(
        self, session: AsyncSession, call_id: uuid.UUID, task: dict[str, Any], now: datetime
    ) -> None:
        """Later work about a call that the provider scheduled itself (a ``provider_task``
        timer, whose payload is ``task``)."""
        ...

    async def check(self, connection: ProviderConnection) -> str:
        """Raise when the connection cannot work; a line saying what was checked otherwise."""
        ...

    async def execute(
        self,
        session: AsyncSession,
        call: CallContext,
        commands: Sequence[Command],
        now: datetime,
    ) -> None:
        """Carry out commands after the step that produced them committed. Must be
        idempotent: a crash after it ran and before its job was deleted runs it again."""
        ...
