"""The handles migration numbers existing rows per project in creation order, starts each
project's counter after them, and leaves every reference to a router in place (it must not
rebuild the routers table, which on SQLite would null the numbers' router_id)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from callroute.db.connect import create_engine
from callroute.db.handles import HandleKind, next_handle
from callroute.db.schema import downgrade, migrate
from callroute.db.session import Database
from callroute.db.types import UTCDateTime, json_type
from tests import databases
from tests.conftest import START

BEFORE = "0003"


@pytest.fixture
def empty_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips with the reason when PostgreSQL is away
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


def _table(table_name: str, /, **columns: Any) -> sa.TableClause:
    common = {
        "id": sa.Uuid(),
        "created_at": UTCDateTime(),
        "updated_at": UTCDateTime(),
    }
    return sa.table(table_name, *(sa.column(k, v) for k, v in {**common, **columns}.items()))


PROJECTS = _table("projects", name=sa.String(), slug=sa.String())
CONNECTIONS = _table(
    "provider_connections",
    project_id=sa.Uuid(),
    name=sa.String(),
    kind=sa.String(),
    enabled=sa.Boolean(),
    secrets=json_type(),
    settings=json_type(),
)
ROUTERS = _table(
    "routers",
    project_id=sa.Uuid(),
    name=sa.String(),
    slug=sa.String(),
    enabled=sa.Boolean(),
    config=json_type(),
)
NUMBERS = _table(
    "phone_numbers",
    project_id=sa.Uuid(),
    number=sa.String(),
    connection_id=sa.Uuid(),
    country=sa.String(),
    number_type=sa.String(),
    capabilities=json_type(),
    router_id=sa.Uuid(),
    label=sa.String(),
)
BOTS = _table(
    "bots",
    project_id=sa.Uuid(),
    name=sa.String(),
    websocket_url=sa.String(),
    parameters=json_type(),
    description=sa.String(),
)


async def test_existing_rows_get_handles_in_creation_order(empty_url: str) -> None:
    engine = create_engine(empty_url)
    a, b = uuid.uuid4(), uuid.uuid4()
    connection_id, router_id = uuid.uuid4(), uuid.uuid4()
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def at(minutes: int) -> dict[str, Any]:
        moment = START + timedelta(minutes=minutes)
        return {"created_at": moment, "updated_at": moment}

    try:
        await migrate(engine, BEFORE)
        async with engine.begin() as conn:
            await conn.execute(
                PROJECTS.insert(),
                [
                    {"id": a, "name": "A", "slug": "a", **at(0)},
                    {"id": b, "name": "B", "slug": "b", **at(0)},
                ],
            )
            await conn.execute(
                CONNECTIONS.insert(),
                [
                    {
                        "id": connection_id,
                        "project_id": a,
                        "name": "Sim",
                        "kind": "simulator",
                        "enabled": True,
                        "secrets": {},
                        "settings": {},
                        **at(0),
                    }
                ],
            )
            await conn.execute(
                ROUTERS.insert(),
                [
                    {
                        "id": router_id,
                        "project_id": a,
                        "name": "Hotline",
                        "slug": "hotline",
                        "enabled": True,
                        "config": {"action": {"type": "voicemail"}},
                        **at(1),
                    }
                ],
            )
            await conn.execute(
                NUMBERS.insert(),
                [
                    {
                        "id": uuid.uuid4(),
                        "project_id": a,
                        "number": "+12015550100",
                        "connection_id": connection_id,
                        "country": "US",
                        "number_type": "local",
                        "capabilities": [],
                        "router_id": router_id,
                        "label": "",
                        **at(2),
                    }
                ],
            )
            bot = {"websocket_url": "wss://bot.example.com", "parameters": {}, "description": ""}
            await conn.execute(
                BOTS.insert(),
                [
                    {"id": first, "project_id": a, "name": "later", **bot, **at(5)},
                    {"id": second, "project_id": a, "name": "earlier", **bot, **at(3)},
                    {"id": third, "project_id": b, "name": "other", **bot, **at(4)},
                ],
            )

        await migrate(engine)

        async with engine.connect() as conn:
            rows = await conn.execute(sa.text("SELECT name, handle FROM bots"))
            bots = {name: handle for name, handle in rows.all()}
            routed = await conn.scalar(
                sa.text("SELECT COUNT(*) FROM phone_numbers WHERE router_id IS NOT NULL")
            )
            number_handle = await conn.scalar(sa.text("SELECT handle FROM phone_numbers"))
            router_handle = await conn.scalar(sa.text("SELECT handle FROM routers"))
        assert bots == {"earlier": 1, "later": 2, "other": 1}
        assert routed == 1
        assert (number_handle, router_handle) == (1, 1)

        database = Database(empty_url)
        try:
            async with database.unit_of_work() as session:
                assert await next_handle(session, a, HandleKind.BOT) == 3
                assert await next_handle(session, b, HandleKind.BOT) == 2
                assert await next_handle(session, b, HandleKind.SIP_TRUNK) == 1
                assert await next_handle(session, a, HandleKind.ROUTER) == 2
        finally:
            await database.dispose()

        await downgrade(engine, BEFORE)
        async with engine.connect() as conn:
            routed = await conn.scalar(
                sa.text("SELECT COUNT(*) FROM phone_numbers WHERE router_id IS NOT NULL")
            )
            columns = {
                c["name"] for c in await conn.run_sync(lambda c: sa.inspect(c).get_columns("bots"))
            }
        assert routed == 1
        assert "handle" not in columns
    finally:
        await engine.dispose()


POLICIES = _table(
    "escalation_policies",
    project_id=sa.Uuid(),
    name=sa.String(),
    description=sa.String(),
    repeat_count=sa.Integer(),
)
LEVELS = sa.table(
    "escalation_levels",
    sa.column("id", sa.Uuid()),
    sa.column("policy_id", sa.Uuid()),
    sa.column("position", sa.Integer()),
    sa.column("strategy", sa.String()),
    sa.column("ring_timeout_seconds", sa.Integer()),
    sa.column("delay_seconds", sa.Integer()),
)
TARGETS = sa.table(
    "escalation_targets",
    sa.column("id", sa.Uuid()),
    sa.column("level_id", sa.Uuid()),
    sa.column("position", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("member_id", sa.Uuid()),
)
MEMBERS = _table("members", project_id=sa.Uuid(), name=sa.String(), role=sa.String())


async def test_upgrades_that_rebuild_tables_keep_every_row_that_references_them(
    empty_url: str,
) -> None:
    """On SQLite a migration that alters a table rebuilds it; rows referencing it (a level's
    targets, cascading; a number's router, set null) must come through untouched."""
    engine = create_engine(empty_url)
    project, member, policy, level = (uuid.uuid4() for _ in range(4))
    moment = {"created_at": START, "updated_at": START}
    try:
        await migrate(engine, "0005")  # before the revision that alters routers and levels
        async with engine.begin() as conn:
            await conn.execute(
                PROJECTS.insert(), [{"id": project, "name": "A", "slug": "a", **moment}]
            )
            await conn.execute(
                MEMBERS.insert(),
                [{"id": member, "project_id": project, "name": "Ann", "role": "member", **moment}],
            )
            await conn.execute(
                POLICIES.insert(),
                [
                    {
                        "id": policy,
                        "project_id": project,
                        "name": "P",
                        "description": "",
                        "repeat_count": 0,
                        **moment,
                    }
                ],
            )
            await conn.execute(
                LEVELS.insert(),
                [
                    {
                        "id": level,
                        "policy_id": policy,
                        "position": 0,
                        "strategy": "sequential",
                        "ring_timeout_seconds": 30,
                        "delay_seconds": 0,
                    }
                ],
            )
            await conn.execute(
                TARGETS.insert(),
                [
                    {
                        "id": uuid.uuid4(),
                        "level_id": level,
                        "position": 0,
                        "kind": "member",
                        "member_id": member,
                    }
                ],
            )
        await migrate(engine)
        async with engine.connect() as conn:
            targets = await conn.scalar(sa.text("SELECT COUNT(*) FROM escalation_targets"))
            levels = await conn.scalar(sa.text("SELECT COUNT(*) FROM escalation_levels"))
        assert (levels, targets) == (1, 1)
    finally:
        await engine.dispose()
