from __future__ import annotations

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import Bot


class BotRepository(ScopedRepository[Bot]):
    model = Bot
    sort_columns = {"created_at": Bot.created_at, "name": Bot.name}

    async def page(self, sort: SortSpec, cursor: Cursor | None, limit: int) -> PageResult[Bot]:
        return await paginate(
            self.session,
            self.scoped(),
            id_column=Bot.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
