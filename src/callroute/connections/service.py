from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute import crypto
from callroute.clock import Clock
from callroute.connections.repository import ConnectionRepository
from callroute.connections.schemas import (
    ConnectionCreate,
    ConnectionListQuery,
    ConnectionOut,
    ConnectionUpdate,
)
from callroute.crypto import SecretKeys
from callroute.db.pagination import PageResult
from callroute.errors import Conflict, ValidationFailed
from callroute.models import ProviderConnection
from callroute.providers.base import ProviderEnv
from callroute.providers.registry import get_provider
from callroute.providers.twilio import account as twilio_account
from callroute.validation import found, reject_nulls, require_unique_name


def connection_out(row: ProviderConnection) -> ConnectionOut:
    return ConnectionOut(
        id=row.id,
        name=row.name,
        kind=row.kind,
        enabled=row.enabled,
        settings=row.settings,
        secrets_set=sorted(row.secrets),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ConnectionService:
    def __init__(
        self, session: AsyncSession, project_id: uuid.UUID, clock: Clock, secret_keys: SecretKeys
    ) -> None:
        self.session = session
        self.repo = ConnectionRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock
        self.secret_keys = secret_keys

    async def create(self, data: ConnectionCreate) -> ProviderConnection:
        await require_unique_name(self.repo, data.name, None, "connection")
        now = self.clock.now()
        secret = data.webhook_secret or secrets.token_urlsafe(32)
        settings: dict[str, Any] = {}
        stored = {"webhook_secret": crypto.encrypt(self.secret_keys, secret)}
        if data.twilio is not None:
            settings, credentials = twilio_account.stored(data.twilio, self.secret_keys)
            stored.update(credentials)
        row = ProviderConnection(
            project_id=self.project_id,
            name=data.name,
            kind=data.kind.value,
            enabled=data.enabled,
            secrets=stored,
            settings=settings,
            created_at=now,
            updated_at=now,
        )
        self.repo.add(row)
        await self.session.flush()
        return row

    async def get(self, ref: str) -> ProviderConnection:
        return await found(self.repo, ref, "connection")

    async def page(self, query: ConnectionListQuery) -> PageResult[ProviderConnection]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, ref: str, data: ConnectionUpdate) -> ProviderConnection:
        row = await self.get(ref)
        reject_nulls(data)
        if data.name is not None and data.name != row.name:
            await require_unique_name(self.repo, data.name, row.id, "connection")
            row.name = data.name
        if data.enabled is not None:
            row.enabled = data.enabled
        if data.webhook_secret is not None:
            row.secrets = {
                **row.secrets,
                "webhook_secret": crypto.encrypt(self.secret_keys, data.webhook_secret),
            }
        if data.twilio is not None:
            if row.kind != "twilio":
                raise ValidationFailed(
                    f"twilio: does not apply to a {row.kind} connection", field="twilio"
                )
            settings, credentials = twilio_account.stored(data.twilio, self.secret_keys)
            kept = {k: v for k, v in row.secrets.items() if k == "webhook_secret"}
            row.settings, row.secrets = settings, {**kept, **credentials}
        row.updated_at = self.clock.now()
        await self.session.flush()
        return row

    async def check(self, ref: str, env: ProviderEnv) -> str:
        """Whether the connection works (for Twilio: its account answers). A failure is
        raised with the provider's own code and message."""
        row = await self.get(ref)
        return await get_provider(row.kind, env).check(row)

    async def delete(self, ref: str) -> uuid.UUID:
        row = await self.get(ref)
        numbers = await self.repo.count_numbers(row.id)
        if numbers:
            raise Conflict(
                f"connection {row.name!r} still owns {numbers} phone number(s); release them first"
            )
        router = await self.repo.first_router(row.id)
        if router is not None:
            raise Conflict(
                f"connection {row.name!r} is the connection of router {router.name!r}; "
                "change the router's connection_id first"
            )
        await self.repo.delete(row)
        return row.id
