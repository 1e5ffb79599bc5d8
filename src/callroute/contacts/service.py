from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.contacts.repository import ContactRepository
from callroute.contacts.schemas import (
    ContactCreate,
    ContactListQuery,
    ContactPhoneIn,
    ContactUpdate,
)
from callroute.db.pagination import PageResult
from callroute.errors import Conflict, NotFound, ValidationFailed
from callroute.models import Contact, ContactPhone
from callroute.validation import clean_labels, found, reject_nulls


class ContactService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.repo = ContactRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock

    async def create(self, data: ContactCreate) -> Contact:
        labels = clean_labels(data.labels)
        _check_distinct(data.phones)
        await self._free_external_id(data.external_id, None)
        now = self.clock.now()
        contact = Contact(
            project_id=self.project_id,
            name=data.name,
            labels=labels,
            external_id=data.external_id,
            notes=data.notes,
            created_at=now,
            updated_at=now,
        )
        contact.phones = self._phones(data.phones)
        self.repo.add(contact)
        await self.session.flush()
        return contact

    async def get(self, ref: str) -> Contact:
        return await found(self.repo, ref, "contact")

    async def lookup(self, number: str) -> Contact:
        contact = await self.repo.by_number(number)
        if contact is None:
            raise NotFound(f"no contact with number {number}")
        return contact

    async def page(self, query: ContactListQuery) -> PageResult[Contact]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, ref: str, data: ContactUpdate) -> Contact:
        contact = await self.get(ref)
        sent = data.model_fields_set
        reject_nulls(data, nullable=frozenset({"external_id"}))
        if data.name is not None:
            contact.name = data.name
        if data.labels is not None:
            contact.labels = clean_labels(data.labels)
        if "external_id" in sent:
            await self._free_external_id(data.external_id, contact.id)
            contact.external_id = data.external_id
        if data.notes is not None:
            contact.notes = data.notes
        if data.phones is not None:
            _check_distinct(data.phones)
            contact.phones = []
            await self.session.flush()
            contact.phones = self._phones(data.phones)
        contact.updated_at = self.clock.now()
        await self.session.flush()
        return contact

    async def delete(self, ref: str) -> uuid.UUID:
        contact = await self.get(ref)
        await self.repo.delete(contact)
        return contact.id

    def _phones(self, phones: list[ContactPhoneIn]) -> list[ContactPhone]:
        now = self.clock.now()
        return [
            ContactPhone(
                project_id=self.project_id,
                number=p.number,
                label=p.label,
                position=i,
                created_at=now,
            )
            for i, p in enumerate(phones)
        ]

    async def _free_external_id(
        self, external_id: str | None, contact_id: uuid.UUID | None
    ) -> None:
        if external_id is None:
            return
        existing = await self.repo.by_external_id(external_id)
        if existing is not None and existing.id != contact_id:
            raise Conflict(
                f"contact {existing.id} already has external_id {external_id!r}",
                field="external_id",
            )


def _check_distinct(phones: list[ContactPhoneIn]) -> None:
    seen: set[str] = set()
    for index, phone in enumerate(phones):
        if phone.number in seen:
            field = f"phones[{index}].number"
            raise ValidationFailed(f"{field}: {phone.number} is listed twice", field=field)
        seen.add(phone.number)
