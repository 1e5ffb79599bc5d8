from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Member, MemberPhone


class MemberRepository(ScopedRepository[Member]):
    model = Member
    sort_columns = {
        "created_at": Member.created_at,
        "updated_at": Member.updated_at,
        "name": Member.name,
    }

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Member]:
        stmt = self.scoped()
        if "role" in filters:
            stmt = stmt.where(Member.role == filters["role"])
        if "email" in filters:
            stmt = stmt.where(Member.email == filters["email"].lower())
        if "phone" in filters:
            owners = select(MemberPhone.member_id).where(
                MemberPhone.project_id == self.project_id, MemberPhone.number == filters["phone"]
            )
            stmt = stmt.where(Member.id.in_(owners))
        if "created_after" in filters:
            stmt = stmt.where(Member.created_at >= filters["created_after"])
        if "created_before" in filters:
            stmt = stmt.where(Member.created_at < filters["created_before"])
        return await paginate(
            self.session,
            stmt,
            id_column=Member.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )

    async def by_email(self, email: str) -> Member | None:
        row: Member | None = await self.session.scalar(self.scoped().where(Member.email == email))
        return row

    async def count_role(self, role: str) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.project_id == self.project_id, Member.role == role)
        )
        return count or 0
