from __future__ import annotations

from callroute.db.pagination import Cursor, PageResult, SortSpec, paginate
from callroute.db.repository import ScopedRepository
from callroute.models import SipTrunk


class TrunkRepository(ScopedRepository[SipTrunk]):
    model = SipTrunk
    sort_columns = {"created_at": SipTrunk.created_at, "name": SipTrunk.name}

    async def page(self, sort: SortSpec, cursor: Cursor | None, limit: int) -> PageResult[SipTrunk]:
        return await paginate(
            self.session,
            self.scoped(),
            id_column=SipTrunk.id,
            sort_columns=self.sort_columns,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
