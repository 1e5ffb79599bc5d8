"""Fixtures shared by every test.

Storage, API and CLI tests take the ``db_url`` fixture, parametrised over SQLite and
PostgreSQL. PostgreSQL comes from ``CALLROUTE_TEST_POSTGRES_URL`` (default: the local server).
Locally its tests skip with the reason when it is not reachable; under ``CI=true`` the whole run
fails instead, so a CI run can never pass on SQLite alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from callroute.api_keys.schemas import ApiKeyCreate
from callroute.api_keys.service import ApiKeyService
from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.clock import FrozenClock
from callroute.config import LogFormat, Settings
from callroute.db.session import Database
from callroute.logging import configure_logging
from callroute.projects.service import ProjectService
from tests import databases

TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    # Once for the whole run, as a server configures itself: JSON lines with plain tracebacks.
    # Unconfigured, structlog renders each logged exception as a rich traceback with every
    # frame's locals, which costs seconds per test that logs one.
    configure_logging("WARNING", LogFormat.JSON)


def pytest_sessionstart(session: pytest.Session) -> None:
    reason = databases.postgres_unreachable_reason()
    session.config.stash[_PG_REASON] = reason
    if reason and databases.IN_CI:
        pytest.exit(f"CI=true requires PostgreSQL for the test suite. {reason}", returncode=3)
    if databases.IN_CI and set(DATABASES) != {"sqlite", "postgres"}:
        pytest.exit("CI=true runs the suite on both databases: unset CALLROUTE_TEST_DATABASES", 3)


_PG_REASON = pytest.StashKey[str | None]()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    postgres_unreachable = request.config.stash[_PG_REASON]
    if postgres_unreachable:
        pytest.skip(postgres_unreachable)
    url = databases.create_postgres_database()
    databases.migrate_sync(url)
    yield url
    databases.drop_postgres_database(url)


# `make test-fast` narrows the run to SQLite; `make test` (and CI) always runs both.
DATABASES = os.environ.get("CALLROUTE_TEST_DATABASES", "sqlite,postgres").split(",")


@pytest.fixture(params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    kind = str(request.param)
    if kind not in DATABASES:  # a test parametrised for one database, outside the narrowed run
        pytest.skip(f"CALLROUTE_TEST_DATABASES={','.join(DATABASES)}")
    return kind


@pytest.fixture
def db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of the parametrised kind, private to this test."""
    if db_kind == "sqlite":
        yield databases.sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    url = request.getfixturevalue("postgres_url")
    try:
        yield url
    finally:
        databases.clear_all_sync(url)


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(db_url: str) -> Settings:
    # Limits off: tests send many requests, and many bad keys, from one address.
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET_KEY,
        rate_limit_per_minute=0,
        auth_failures_per_minute=0,
        # Webhook receivers here are in-process transports, so no destination needs its name
        # resolved: the resolver of this machine sometimes takes its 5 s timeout. The
        # destination rules have their own tests, with a resolver of their own.
        webhooks_allow_private_destinations=True,
    )


@pytest.fixture
def ctx(settings: Settings, database: Database, clock: FrozenClock) -> AppContext:
    return AppContext(settings=settings, db=database, clock=clock)


@pytest.fixture
async def client(ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ctx=ctx)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://callroute.test") as c:
        yield c


@dataclass(frozen=True)
class Tenant:
    project_id: uuid.UUID
    slug: str
    key: str  # an owner key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def make_tenant(ctx: AppContext, name: str) -> Tenant:
    async with ctx.db.unit_of_work() as session:
        project = await ProjectService(session, ctx.clock).create(name)
        _row, secret = await ApiKeyService(session, project.id, ctx.clock).create(
            ApiKeyCreate(name="owner", role=Role.OWNER), granter=None
        )
    return Tenant(project_id=project.id, slug=project.slug, key=secret)


async def make_key(
    ctx: AppContext,
    tenant: Tenant,
    *,
    role: Role | None = None,
    permissions: list[str] | None = None,
    expires_at: datetime | None = None,
) -> str:
    async with ctx.db.unit_of_work() as session:
        _row, secret = await ApiKeyService(session, tenant.project_id, ctx.clock).create(
            ApiKeyCreate(name="test", role=role, permissions=permissions, expires_at=expires_at),
            granter=None,
        )
    return secret


@pytest.fixture
async def tenant(ctx: AppContext) -> Tenant:
    return await make_tenant(ctx, "Acme Ops")


@pytest.fixture
async def other_tenant(ctx: AppContext) -> Tenant:
    return await make_tenant(ctx, "Globex Support")
