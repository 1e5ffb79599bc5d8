"""The database handle and its unit of work.

A unit of work is one transaction: it commits when the block ends normally and rolls back when
it raises. Services never commit; whoever opened the unit of work (a request, a CLI command, a
worker) owns it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from callroute.db import revisions  # noqa: F401  (registers the configuration-revision hooks)
from callroute.db.engine import READONLY_OPTION, create_engine


class Database:
    def __init__(self, url: str | URL, *, connect_timeout: float = 5.0) -> None:
        self.engine: AsyncEngine = create_engine(url, connect_timeout=connect_timeout)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        readonly_engine = self.engine.execution_options(**{READONLY_OPTION: True})
        self._readonly_sessions = async_sessionmaker(readonly_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def unit_of_work(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        maker = self._readonly_sessions if readonly else self._sessions
        async with maker() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            if not readonly:
                await session.commit()
            # A read-only unit of work just closes: closing ends the transaction without
            # expiring the loaded rows, which callers go on reading after the block.

    async def dispose(self) -> None:
        await self.engine.dispose()


def is_readonly(session: AsyncSession) -> bool:
    """Whether ``session`` belongs to a read-only unit of work."""
    bind = session.bind
    return isinstance(bind, AsyncEngine) and bool(bind.get_execution_options().get(READONLY_OPTION))
