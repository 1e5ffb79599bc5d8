"""What the on-call page reads beside the schedules' own answers: the people an override can
put on call."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from callroute.db.repository import ScopedRepository
from callroute.models import Member


class RosterRepository(ScopedRepository[Member]):
    model = Member

    async def names(self) -> list[tuple[uuid.UUID, str]]:
        """Every member of the project (id, name), by name: the choices of the override form,
        which the API accepts for any member of the project."""
        rows = await self.session.execute(
            select(Member.id, Member.name)
            .where(Member.project_id == self.project_id)
            .order_by(Member.name, Member.id)
        )
        return [(member_id, name) for member_id, name in rows.all()]
