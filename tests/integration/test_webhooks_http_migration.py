"""Revision 0009 lets the projects that already send webhooks over http keep doing so, and
starts every other project with https only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from callroute.db.connect import create_engine
from callroute.db.schema import migrate
from callroute.db.types import UTCDateTime
from tests import databases
from tests.conftest import START


@pytest.fixture
def empty_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips with the reason when PostgreSQL is away
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


PROJECTS = sa.table(
    "projects",
    *(
        sa.column(n, t)
        for n, t in (("id", sa.Uuid()), ("name", sa.String()), ("slug", sa.String()))
    ),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
HOOKS = sa.table(
    "webhook_subscriptions",
    *(
        sa.column(n, t)
        for n, t in (
            ("id", sa.Uuid()),
            ("project_id", sa.Uuid()),
            ("url", sa.String()),
            ("description", sa.Text()),
            ("events", sa.JSON()),
            ("enabled", sa.Boolean()),
            ("secret", sa.Text()),
        )
    ),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


async def test_projects_with_http_subscriptions_keep_http(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        await migrate(engine, "0008")
        plain, secure, none = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        async with engine.begin() as connection:
            for project, slug in ((plain, "plain"), (secure, "secure"), (none, "none")):
                await connection.execute(
                    PROJECTS.insert().values(
                        id=project, name=slug, slug=slug, created_at=START, updated_at=START
                    )
                )
            for project, url in ((plain, "http://a.example.com/"), (secure, "https://b.example/")):
                await connection.execute(
                    HOOKS.insert().values(
                        id=uuid.uuid4(),
                        project_id=project,
                        url=url,
                        description="",
                        events=[],
                        enabled=True,
                        secret="x",
                        created_at=START,
                        updated_at=START,
                    )
                )
        await migrate(engine)
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT slug, webhooks_allow_http FROM projects")
            )
            allowed = {slug: bool(flag) for slug, flag in rows}
    finally:
        await engine.dispose()
    assert allowed == {"plain": True, "secure": False, "none": False}
