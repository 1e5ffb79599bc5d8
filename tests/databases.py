"""Test databases: a migrated SQLite template copied per test, and a migrated PostgreSQL
database per test process (each pytest-xdist worker has its own) whose rows are deleted after
each test."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from callroute.db.base import Base
from callroute.db.connect import create_engine
from callroute.db.schema import migrate

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
POSTGRES_URL = os.environ.get("CALLROUTE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

import callroute.models  # noqa: E402,F401  (tables on Base.metadata)

TABLES = [table.name for table in reversed(Base.metadata.sorted_tables)]


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_unreachable_reason() -> str | None:
    async def probe() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}"
    return None


def create_postgres_database() -> str:
    """Create an empty database for this test run and return its SQLAlchemy URL."""
    name = f"callroute_test_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database

    async def drop() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(drop())


def migrate_sync(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    migrate_sync(f"sqlite+aiosqlite:///{path}")
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "callroute.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


# Children before parents, one DELETE each, sent as one simple-protocol round trip. On tables
# this small, DELETE costs a fraction of TRUNCATE, which rewrites every table's files.
_CLEAR = ";".join(f'DELETE FROM "{table}"' for table in TABLES)  # noqa: S608  (our table names)


def clear_all_sync(url: str) -> None:
    """Delete every row a test left (rows the migrations seed are deleted too, as before)."""

    async def clear() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
        try:
            await connection.execute(_CLEAR)
        finally:
            await connection.close()

    asyncio.run(clear())
