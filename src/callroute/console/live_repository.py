"""What the live-calls page and the "try it" form read."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.models import Call, PhoneNumber, ProviderConnection, Router

# A call the engine still works on; any other status is final.
IN_PROGRESS = ("ringing", "in_menu", "ringing_responders", "answered")


class LiveRepository:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    async def calls_in_progress(self, limit: int) -> list[tuple[Call, str | None]]:
        """Routed calls still in progress, newest first, with their router's name."""
        rows = await self.session.execute(
            select(Call, Router.name)
            .outerjoin(Router, Router.id == Call.router_id)
            .where(
                Call.project_id == self.project_id,
                Call.status.in_(IN_PROGRESS),
                Call.origin == "routed",
            )
            .order_by(Call.started_at.desc())
            .limit(limit)
        )
        return [(call, name) for call, name in rows.all()]

    async def simulator_numbers(self) -> list[tuple[str, str]]:
        """(number, router name) of the project's simulator numbers that a router answers."""
        rows = await self.session.execute(
            select(PhoneNumber.number, Router.name)
            .join(ProviderConnection, ProviderConnection.id == PhoneNumber.connection_id)
            .join(Router, Router.id == PhoneNumber.router_id)
            .where(
                PhoneNumber.project_id == self.project_id, ProviderConnection.kind == "simulator"
            )
            .order_by(Router.name, PhoneNumber.number)
        )
        return [(number, name) for number, name in rows.all()]
