"""What the rest of callroute needs from a telephony provider."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.engine.callflow.model import Command


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
class CallContext:
    """What an adapter knows about the call it acts on."""

    call_id: uuid.UUID
    project_id: uuid.UUID
    connection_id: uuid.UUID | None
    provider_call_id: str
    generation: int  # with the command index, the idempotency key of a side effect
    provider_data: dict[str, Any]


class Provider(Protocol):
    kind: str

    async def search_numbers(
        self,
        session: AsyncSession,
        country: str,
        number_type: NumberType,
        contains: str | None,
        limit: int,
    ) -> list[AvailableNumber]: ...

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
