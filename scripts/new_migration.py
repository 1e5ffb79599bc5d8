"""Write a new Alembic revision from the difference between the models and the migrations.

Usage: .venv/bin/python scripts/new_migration.py "add teams"

It upgrades a scratch SQLite database to the current head, then autogenerates against it.
Read and edit the result before committing: autogenerate misses renames and data moves.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from callroute.db.connect import create_engine
from callroute.db.schema import alembic_config, migrate


async def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'scratch.db'}")
        await migrate(engine)
        config = alembic_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
        rev_id = f"{number:04d}"

        def generate(connection: Connection) -> None:
            config.attributes["connection"] = connection
            command.revision(
                config,
                message=message,
                autogenerate=True,
                rev_id=rev_id,
                head=heads[0] if heads else "base",
            )

        async with engine.begin() as connection:
            await connection.run_sync(generate)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "change"))
