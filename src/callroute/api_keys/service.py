from __future__ import annotations

import uuid
from collections.abc import Set
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.api_keys.repository import ApiKeyRepository
from callroute.api_keys.schemas import ApiKeyCreate, ApiKeyListQuery
from callroute.auth import keys
from callroute.auth.permissions import (
    ROLE_PERMISSIONS,
    Role,
    expand,
    permissions_for,
    unknown_permissions,
)
from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.errors import Conflict, Forbidden, NotFound, ValidationFailed
from callroute.models import ApiKey


class ApiKeyService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.repo = ApiKeyRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock

    async def create(self, data: ApiKeyCreate, *, granter: Set[str] | None) -> tuple[ApiKey, str]:
        """Create a key; returns it with its secret. ``granter`` is the creating key's
        permissions (None for the operator's CLI): a key can never mint a stronger key."""
        if (data.role is None) == (data.permissions is None):
            raise ValidationFailed("give exactly one of `role` or `permissions`", field="role")
        explicit = None
        if data.permissions is not None:
            unknown = unknown_permissions(data.permissions)
            if unknown:
                raise ValidationFailed(
                    f"unknown permissions: {', '.join(unknown)}", field="permissions"
                )
            explicit = sorted(set(data.permissions))
        now = self.clock.now()
        if data.expires_at is not None and data.expires_at <= now:
            raise ValidationFailed("expires_at must be in the future", field="expires_at")
        granted = permissions_for(data.role, explicit)
        if granter is not None and not granted <= expand(granter):
            missing = ", ".join(sorted(granted - expand(granter)))
            raise Forbidden(f"cannot grant permissions this key does not have: {missing}")
        new = keys.generate_key()
        row = ApiKey(
            project_id=self.project_id,
            name=data.name,
            prefix=new.prefix,
            key_hash=new.key_hash,
            role=data.role.value if data.role else None,
            permissions=explicit,
            expires_at=data.expires_at,
            created_at=now,
        )
        self.repo.add(row)
        await self.repo.session.flush()
        return row, new.secret

    async def page(self, query: ApiKeyListQuery) -> PageResult[ApiKey]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def get(self, key_ref: str) -> ApiKey:
        """A key by id, or by its visible prefix (what operators see and paste)."""
        row = await self.repo.by_ref(key_ref) or await self.repo.by_prefix(key_ref)
        if row is None:
            raise NotFound(f"no API key {key_ref!r} in this project")
        return row

    async def revoke(self, key_ref: str, *, actor: Set[str] | None = None) -> ApiKey:
        """Revoke a key. ``actor`` is the revoking key's permissions (None for the operator's
        CLI): a key can only revoke a key it could have created, one holding no permission it
        lacks, and never the project's last working owner key."""
        row = await self.get(key_ref)
        held = permissions_of(row)
        missing = held - expand(actor) if actor is not None else frozenset()
        if missing:
            raise Forbidden(
                "cannot revoke a key holding permissions this key does not have: "
                + ", ".join(sorted(missing))
            )
        if row.revoked_at is not None:  # revoking twice keeps the first time
            return row
        now = self.clock.now()
        if actor is not None and _is_owner(held) and _works(row, now):
            others = [k for k in await self.repo.working(now) if k.id != row.id]
            if not any(_is_owner(permissions_of(k)) for k in others):
                raise Conflict(
                    "this is the project's last working owner key; create another owner key "
                    "before revoking it"
                )
        row.revoked_at = now
        return row


def permissions_of(row: ApiKey) -> frozenset[str]:
    return permissions_for(row.role, row.permissions)


def _is_owner(permissions: Set[str]) -> bool:
    return ROLE_PERMISSIONS[Role.OWNER] <= permissions


def _works(row: ApiKey, now: datetime) -> bool:
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)
