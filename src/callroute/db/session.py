"""The database handle and its unit of work.

A unit of work is one transaction: it commits when the block ends normally and rolls back when
it raises. Services never commit; whoever opened the unit of work (a request, a CLI command, a
worker) owns it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from callroute.db import revisions  # noqa: F401  (registers the configuration-revision hooks)
from callroute.db.connect import READONLY_OPTION, create_engine

log = structlog.get_logger(__name__)
_AFTER_COMMIT = "after_commit"


class Database:
    # What the process measures with (callroute.metrics.Metrics), handed to every unit of work
    # in ``session.info["metrics"]``; set by the AppContext that owns this database.
    metrics: Any = None

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
            session.info["metrics"] = self.metrics
            try:
                yield session
            except BaseException:
                session.info.pop(_AFTER_COMMIT, None)
                await session.rollback()
                raise
            if not readonly:
                await session.commit()
            _run_after_commit(session)
            # A read-only unit of work just closes: closing ends the transaction without
            # expiring the loaded rows, which callers go on reading after the block.

    def on_pool_use(self, checkout: Callable[[], None], checkin: Callable[[], None]) -> None:
        """Call ``checkout`` and ``checkin`` as connections leave and return to the pool."""
        pool = self.engine.sync_engine.pool
        event.listen(pool, "checkout", lambda *_: checkout())
        event.listen(pool, "checkin", lambda *_: checkin())

    async def dispose(self) -> None:
        await self.engine.dispose()


def after_commit(session: AsyncSession, hook: Callable[[], None]) -> None:
    """Run ``hook`` once the unit of work of ``session`` has committed (never if it rolls
    back): for what must not happen for work that may be undone, such as counting it."""
    session.info.setdefault(_AFTER_COMMIT, []).append(hook)


def _run_after_commit(session: AsyncSession) -> None:
    for hook in session.info.pop(_AFTER_COMMIT, ()):
        try:
            hook()
        except Exception:  # a hook must never turn a committed unit of work into an error
            log.exception("after_commit_hook_failed")


def is_readonly(session: AsyncSession) -> bool:
    """Whether ``session`` belongs to a read-only unit of work."""
    bind = session.bind
    return isinstance(bind, AsyncEngine) and bool(bind.get_execution_options().get(READONLY_OPTION))
