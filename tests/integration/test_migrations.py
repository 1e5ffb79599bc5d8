"""Migrations: from an empty database up to head and back, on both dialects, and the models
never drift from what the migrations build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from callroute.db.base import Base
from callroute.db.connect import create_engine
from callroute.db.schema import downgrade, head_revision, migrate, schema_status
from tests import databases


@pytest.fixture
def empty_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with nothing in it (not the shared, already-migrated test database)."""
    if db_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips with the reason when PostgreSQL is away
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_up_from_empty_down_and_up_again(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        status = await schema_status(engine)
        assert status.current is None
        assert "callroute migrate" in status.describe()

        await migrate(engine)
        status = await schema_status(engine)
        assert status.up_to_date
        assert status.current == head_revision()
        async with engine.connect() as connection:
            tables = await connection.run_sync(_tables)
        assert set(Base.metadata.tables) <= tables

        await migrate(engine)  # running it again is harmless

        await downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) <= {"alembic_version"}
        await migrate(engine)
        assert (await schema_status(engine)).up_to_date
    finally:
        await engine.dispose()


async def test_models_match_the_migrations(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(_diff)
    finally:
        await engine.dispose()
    assert diff == [], "models and migrations differ; write a migration (scripts/new_migration.py)"
