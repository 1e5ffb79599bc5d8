from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.db.dialect import dialect_of, json_array_contains
from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Contact, ContactPhone


@dataclass(frozen=True)
class Caller:
    """A known contact, as an incoming call needs it."""

    id: uuid.UUID
    name: str
    labels: tuple[str, ...]


def _caller_statement() -> Select[Any]:
    contacts, phones = Contact.__table__, ContactPhone.__table__  # Core: the call path
    number = select(phones.c.contact_id).where(
        phones.c.project_id == bindparam("project_id"), phones.c.number == bindparam("number")
    )
    return (
        select(contacts.c.id, contacts.c.name, contacts.c.labels)
        .where(contacts.c.project_id == bindparam("project_id"), contacts.c.id.in_(number))
        .order_by(contacts.c.created_at)
        .limit(1)
    )


_CALLER = _caller_statement()  # built once, reused: see calls/repository.py


async def caller(session: AsyncSession, project_id: uuid.UUID, number: str) -> Caller | None:
    """The project's contact who calls from ``number`` (the oldest, if several share it)."""
    connection = await session.connection()
    row = (await connection.execute(_CALLER, {"project_id": project_id, "number": number})).first()
    if row is None:
        return None
    return Caller(id=row.id, name=row.name, labels=tuple(row.labels or ()))


class ContactRepository(ScopedRepository[Contact]):
    model = Contact
    sort_columns = {
        "created_at": Contact.created_at,
        "updated_at": Contact.updated_at,
        "name": Contact.name,
    }

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Contact]:
        stmt = self.scoped()
        if "phone" in filters:
            stmt = stmt.where(Contact.id.in_(self._with_number(filters["phone"])))
        if "label" in filters:
            label = filters["label"].lower()
            stmt = stmt.where(json_array_contains(dialect_of(self.session), Contact.labels, label))
        if "external_id" in filters:
            stmt = stmt.where(Contact.external_id == filters["external_id"])
        return await paginate(
            self.session,
            stmt,
            id_column=Contact.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def by_number(self, number: str) -> Contact | None:
        """The caller with this E.164 number: one probe of (project_id, number)."""
        row: Contact | None = await self.session.scalar(
            self.scoped()
            .where(Contact.id.in_(self._with_number(number)))
            .order_by(Contact.created_at)
            .limit(1)
        )
        return row

    async def by_external_id(self, external_id: str) -> Contact | None:
        row: Contact | None = await self.session.scalar(
            self.scoped().where(Contact.external_id == external_id)
        )
        return row

    def _with_number(self, number: str) -> Any:
        return select(ContactPhone.contact_id).where(
            ContactPhone.project_id == self.project_id, ContactPhone.number == number
        )
