from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute import crypto
from callroute.clock import Clock
from callroute.crypto import SecretKeys
from callroute.db.handles import HandleKind, next_handle
from callroute.integrity.service import IntegrityService
from callroute.models import SipTrunk
from callroute.sip_trunks.repository import TrunkRepository
from callroute.sip_trunks.schemas import TrunkCreate, TrunkUpdate
from callroute.validation import found, reject_nulls, require_unique_name


class TrunkService:
    def __init__(
        self, session: AsyncSession, project_id: uuid.UUID, clock: Clock, secret_keys: SecretKeys
    ) -> None:
        self.session, self.project_id, self.clock = session, project_id, clock
        self.repo = TrunkRepository(session, project_id)
        self.secret_keys = secret_keys

    async def create(self, data: TrunkCreate) -> SipTrunk:
        await require_unique_name(self.repo, data.name, None, "SIP trunk")
        now = self.clock.now()
        row = SipTrunk(
            project_id=self.project_id,
            handle=await next_handle(self.session, self.project_id, HandleKind.SIP_TRUNK),
            name=data.name,
            uri=data.uri,
            username=data.username,
            description=data.description,
            secrets=self._secrets(data.password),
            created_at=now,
            updated_at=now,
        )
        self.repo.add(row)
        await self.session.flush()
        return row

    async def update(self, ref: str, data: TrunkUpdate) -> SipTrunk:
        row = await found(self.repo, ref, "SIP trunk")
        reject_nulls(data, nullable=frozenset({"username", "password"}))
        if data.name is not None and data.name != row.name:
            await require_unique_name(self.repo, data.name, row.id, "SIP trunk")
            row.name = data.name
        if data.uri is not None:
            row.uri = data.uri
        if "username" in data.model_fields_set:
            row.username = data.username
        if "password" in data.model_fields_set:
            row.secrets = self._secrets(data.password)
        if data.description is not None:
            row.description = data.description
        row.updated_at = self.clock.now()
        await self.session.flush()
        return row

    async def delete(self, ref: str) -> uuid.UUID:
        row = await found(self.repo, ref, "SIP trunk")
        await IntegrityService(self.session, self.project_id).release(
            "sip_trunk", row.id, f"SIP trunk {row.name!r}", force=False
        )
        await self.repo.delete(row)
        return row.id

    def _secrets(self, password: str | None) -> dict[str, str]:
        return {"password": crypto.encrypt(self.secret_keys, password)} if password else {}
