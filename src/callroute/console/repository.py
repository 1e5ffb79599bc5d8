from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.models import Call, ConsoleSession, Member, PhoneNumber, Project, Router


class SignInRepository:
    """What signing in reads and writes, across projects (before anyone is signed in)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def members_with_email(self, email: str) -> list[tuple[Member, Project]]:
        rows = await self.session.execute(
            select(Member, Project)
            .join(Project, Project.id == Member.project_id)
            .where(func.lower(Member.email) == email.lower())
            .order_by(Project.slug)
        )
        return [(member, project) for member, project in rows.all()]

    async def add_session(self, row: ConsoleSession) -> None:
        self.session.add(row)
        await self.session.flush()

    async def session_by_token(
        self, token_hash: str, now: datetime
    ) -> tuple[ConsoleSession, Member, Project] | None:
        row = (
            await self.session.execute(
                select(ConsoleSession, Member, Project)
                .join(Member, Member.id == ConsoleSession.member_id)
                .join(Project, Project.id == ConsoleSession.project_id)
                .where(ConsoleSession.token_hash == token_hash, ConsoleSession.expires_at > now)
            )
        ).first()
        return None if row is None else (row[0], row[1], row[2])

    async def end_session(self, token_hash: str) -> None:
        await self.session.execute(
            delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash)
        )

    async def end_expired(self, now: datetime) -> None:
        await self.session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))


class OverviewRepository:
    """The figures of a project's overview page."""

    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    async def routers(self) -> list[Router]:
        rows = await self.session.scalars(
            select(Router).where(Router.project_id == self.project_id).order_by(Router.name)
        )
        return list(rows.all())

    async def numbers_by_router(self) -> dict[uuid.UUID, list[str]]:
        rows = await self.session.execute(
            select(PhoneNumber.router_id, PhoneNumber.number)
            .where(PhoneNumber.project_id == self.project_id, PhoneNumber.router_id.is_not(None))
            .order_by(PhoneNumber.number)
        )
        found: dict[uuid.UUID, list[str]] = {}
        for router_id, number in rows.all():
            if router_id is not None:
                found.setdefault(router_id, []).append(number)
        return found

    async def calls_by_status(self, now: datetime, hours: int = 24) -> dict[str, int]:
        rows = await self.session.execute(
            select(Call.status, func.count())
            .where(
                Call.project_id == self.project_id, Call.started_at >= now - timedelta(hours=hours)
            )
            .group_by(Call.status)
        )
        return {str(status): int(count) for status, count in rows.all()}
