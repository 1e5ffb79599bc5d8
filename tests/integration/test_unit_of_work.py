"""The unit of work commits on success, rolls back on error, and SQLite gets its pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from callroute.clock import FrozenClock
from callroute.db.session import Database
from callroute.models import Project
from callroute.projects.service import ProjectService
from tests import databases


async def _count(db: Database) -> int:
    async with db.unit_of_work(readonly=True) as session:
        return int(await session.scalar(select(func.count()).select_from(Project)) or 0)


async def test_commit_on_success_rollback_on_error(database: Database, clock: FrozenClock) -> None:
    async with database.unit_of_work() as session:
        await ProjectService(session, clock).create("kept")

    async def create_then_fail() -> None:
        async with database.unit_of_work() as session:
            await ProjectService(session, clock).create("discarded")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await create_then_fail()
    assert await _count(database) == 1


async def test_rows_read_in_a_readonly_unit_stay_usable(
    database: Database, clock: FrozenClock
) -> None:
    async with database.unit_of_work() as session:
        await ProjectService(session, clock).create("Readable")
    async with database.unit_of_work(readonly=True) as session:
        project = await session.scalar(select(Project))
    assert project is not None
    assert project.slug == "readable"
    assert project.created_at.tzinfo is not None  # aware UTC on both dialects


async def test_sqlite_pragmas(sqlite_template: Path, tmp_path: Path) -> None:
    database = Database(databases.sqlite_copy(sqlite_template, tmp_path))
    try:
        async with database.unit_of_work(readonly=True) as session:
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    finally:
        await database.dispose()
