"""Is the database at the schema this code expects? And the command to get it there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from callroute.errors import SchemaError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if self.current is None:
            return "the database has no callroute schema yet; run `callroute migrate`"
        if self.up_to_date:
            return f"schema is current ({self.head})"
        return (
            f"the database schema is at revision {self.current} but this version of callroute "
            f"needs {self.head}; run `callroute migrate`"
        )


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    async with engine.connect() as connection:
        current = await connection.run_sync(_current_revision)
    return SchemaStatus(current=current, head=head_revision())


async def require_current_schema(engine: AsyncEngine) -> None:
    status = await schema_status(engine)
    if not status.up_to_date:
        raise SchemaError(status.describe())


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    def _upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    await _run(engine, _upgrade)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def _downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    await _run(engine, _downgrade)


async def _run(engine: AsyncEngine, steps: Callable[[Connection], None]) -> None:
    """Run migration steps in one transaction.

    On SQLite, foreign keys are not enforced while they run: SQLite alters most things by
    rebuilding the table (copy, drop, rename), and dropping a referenced table with enforcement
    on would apply the references' ON DELETE actions (SET NULL, CASCADE) to every row that
    points at it. The pragma only takes effect outside a transaction, so it is set before the
    transaction begins; afterwards every reference is checked before enforcement resumes.
    """
    if engine.dialect.name != "sqlite":
        async with engine.begin() as connection:
            await connection.run_sync(steps)
        return
    async with engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute("PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                await connection.run_sync(steps)
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise SchemaError(f"the migration left broken references: {broken[:5]}")
        finally:
            await raw.execute("PRAGMA foreign_keys=ON")
