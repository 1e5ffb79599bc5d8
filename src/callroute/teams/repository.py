from __future__ import annotations

from typing import Any

from sqlalchemy import select

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Team, TeamMember


class TeamRepository(ScopedRepository[Team]):
    model = Team
    sort_columns = {"created_at": Team.created_at, "name": Team.name}

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Team]:
        stmt = self.scoped()
        if "name" in filters:
            stmt = stmt.where(Team.name == filters["name"])
        if "member_id" in filters:
            teams_of = select(TeamMember.team_id).where(
                TeamMember.member_id == filters["member_id"]
            )
            stmt = stmt.where(Team.id.in_(teams_of))
        return await paginate(
            self.session,
            stmt,
            id_column=Team.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
