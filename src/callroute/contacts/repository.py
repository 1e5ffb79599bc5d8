from __future__ import annotations

from typing import Any

from sqlalchemy import select

from callroute.api.pagination import Cursor, SortSpec
from callroute.db.dialect import dialect_of, json_array_contains
from callroute.db.pagination import PageResult, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Contact, ContactPhone


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
