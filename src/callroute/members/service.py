from __future__ import annotations

import uuid
from collections.abc import Set

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.auth.permissions import Role
from callroute.clock import Clock
from callroute.db.pagination import PageResult
from callroute.errors import Conflict, Forbidden, ValidationFailed
from callroute.integrity.repository import Reference
from callroute.integrity.service import IntegrityService
from callroute.members.repository import MemberRepository
from callroute.members.schemas import MemberCreate, MemberListQuery, MemberUpdate, PhoneIn
from callroute.models import Member, MemberPhone
from callroute.validation import found, reject_nulls

# Owners can do everything, including giving the project away; only an owner-level key
# (one holding project:write) may create, change or remove one.
OWNER_AUTHORITY = "project:write"


class MemberService:
    def __init__(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        clock: Clock,
        *,
        actor: Set[str] | None = None,
    ) -> None:
        """``actor`` is the caller's permission set; None means the operator's CLI."""
        self.repo = MemberRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock
        self.actor = actor

    async def create(self, data: MemberCreate) -> Member:
        _check_distinct(data.phones)
        self._check_owner_authority(data.role)
        email = await self._free_email(data.email, None)
        now = self.clock.now()
        member = Member(
            project_id=self.project_id,
            name=data.name,
            email=email,
            role=data.role.value,
            time_zone=data.time_zone,
            sip_uri=data.sip_uri,
            created_at=now,
            updated_at=now,
        )
        member.phones = [self._new_phone(member, p, i) for i, p in enumerate(data.phones)]
        self.repo.add(member)
        await self.repo.session.flush()
        return member

    async def get(self, member_ref: str) -> Member:
        return await found(self.repo, member_ref, "member")

    async def page(self, query: MemberListQuery) -> PageResult[Member]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, member_ref: str, data: MemberUpdate) -> Member:
        member = await self.get(member_ref)
        sent = data.model_fields_set
        reject_nulls(data, nullable=frozenset({"email", "time_zone", "sip_uri"}))
        if "role" in sent and data.role is not None and data.role.value != member.role:
            self._check_owner_authority(Role(member.role))
            self._check_owner_authority(data.role)
            if member.role == Role.OWNER:
                await self._keep_an_owner()
            member.role = data.role.value
        if data.name is not None:
            member.name = data.name
        if "email" in sent:
            member.email = await self._free_email(data.email, member.id)
        if "time_zone" in sent:
            member.time_zone = data.time_zone
        if "sip_uri" in sent:
            member.sip_uri = data.sip_uri
        if data.phones is not None:
            _check_distinct(data.phones)
            self._replace_phones(member, data.phones)
        member.updated_at = self.clock.now()
        await self.repo.session.flush()
        return member

    async def delete(
        self, member_ref: str, *, force: bool = False
    ) -> tuple[uuid.UUID, list[Reference]]:
        """Delete a member. Teams, rotations, overrides and policy levels that name them make
        this a 409 listing them, unless ``force`` removes those references (returned)."""
        member = await self.get(member_ref)
        if member.role == Role.OWNER:
            self._check_owner_authority(Role.OWNER)
            await self._keep_an_owner()
        removed = await IntegrityService(self.repo.session, self.project_id).release(
            "member", member.id, f"member {member.name!r}", force=force
        )
        await self.repo.delete(member)
        return member.id, removed

    def _check_owner_authority(self, role: Role) -> None:
        if role == Role.OWNER and self.actor is not None and OWNER_AUTHORITY not in self.actor:
            raise Forbidden("only an owner key can create, change or remove owners")

    async def _keep_an_owner(self) -> None:
        if await self.repo.count_role(Role.OWNER) <= 1:
            raise Conflict(
                "a project keeps at least one owner; make someone else owner first", field="role"
            )

    async def _free_email(self, email: str | None, member_id: uuid.UUID | None) -> str | None:
        if email is None:
            return None
        email = email.lower()
        existing = await self.repo.by_email(email)
        if existing is not None and existing.id != member_id:
            raise Conflict(f"member {existing.id} already has email {email}", field="email")
        return email

    def _new_phone(self, member: Member, phone: PhoneIn, position: int) -> MemberPhone:
        return MemberPhone(
            project_id=self.project_id,
            member=member,
            number=phone.number,
            label=phone.label,
            position=position,
            verified=bool(phone.verified),
            created_at=self.clock.now(),
        )

    def _replace_phones(self, member: Member, phones: list[PhoneIn]) -> None:
        """Update numbers in place so a kept number keeps its row and its verification."""
        current = {p.number: p for p in member.phones}
        kept: list[MemberPhone] = []
        for position, phone in enumerate(phones):
            row = current.pop(phone.number, None)
            if row is None:
                row = self._new_phone(member, phone, position)
            else:
                row.label = phone.label
                row.position = position
                if phone.verified is not None:
                    row.verified = phone.verified
            kept.append(row)
        member.phones = kept


def _check_distinct(phones: list[PhoneIn]) -> None:
    seen: set[str] = set()
    for index, phone in enumerate(phones):
        if phone.number in seen:
            field = f"phones[{index}].number"
            raise ValidationFailed(f"{field}: {phone.number} is listed twice", field=field)
        seen.add(phone.number)
