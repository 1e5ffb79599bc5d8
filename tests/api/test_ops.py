"""Liveness, readiness, metrics, and behaviour when the database is away."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import text

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.config import Settings
from callroute.db.session import Database
from callroute.errors import SchemaError
from callroute.timers.runner import Runner
from tests.conftest import TEST_SECRET_KEY, Tenant


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_current_schema(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_readyz_is_503_on_an_outdated_schema(
    client: httpx.AsyncClient, ctx: AppContext
) -> None:
    async with ctx.db.unit_of_work() as session:
        current = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        await session.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    try:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert "callroute migrate" in response.json()["schema"]
    finally:  # the PostgreSQL test database is shared by the whole run
        async with ctx.db.unit_of_work() as session:
            await session.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": current}
            )


async def test_metrics_count_requests_by_route_template_and_status(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await client.get("/api/v1/members/some-id", headers=tenant.headers)
    await client.get("/api/v1/members/other-id", headers=tenant.headers)
    await client.get("/api/v1/members", headers=tenant.headers)
    body = (await client.get("/metrics")).text
    assert (
        'callroute_http_requests_total{method="GET",route="/api/v1/members/{member_id}",'
        'status="404"} 2.0'
    ) in body
    assert (
        'callroute_http_requests_total{method="GET",route="/api/v1/members",status="200"} 1.0'
    ) in body
    assert "callroute_http_request_duration_seconds_bucket" in body
    assert "some-id" not in body  # labelled by template, not by raw path


async def test_server_refuses_to_start_on_an_unmigrated_database(tmp_path: object) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/empty.db"
    app = create_app(Settings(database_url=url, secret_key=TEST_SECRET_KEY))
    with pytest.raises(SchemaError, match="callroute migrate"):
        async with app.router.lifespan_context(app):
            pass


async def test_unreachable_database_fails_fast_with_503() -> None:
    # Nothing listens on port 1; connecting is refused at once.
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
    settings = Settings(database_url=url, secret_key=TEST_SECRET_KEY, db_connect_timeout_seconds=2)
    db = Database(url, connect_timeout=2)
    app = create_app(ctx=AppContext(settings=settings, db=db))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        started = time.monotonic()
        key = "crk_AAAAAAAA_" + "B" * 40
        response = await client.get("/api/v1/members", headers={"ApiKey": key})
        ready = await client.get("/readyz")
        elapsed = time.monotonic() - started
    await db.dispose()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"]
    assert ready.status_code == 503
    assert elapsed < 10


async def test_readyz_reports_a_timer_runner_that_is_not_running(
    client: httpx.AsyncClient, ctx: AppContext
) -> None:
    runner = Runner(ctx, poll_interval=0.01)
    ctx.runner = runner
    stopped = await client.get("/readyz")
    assert stopped.status_code == 503
    assert stopped.json()["timers"]["running"] is False

    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        for _ in range(500):  # until its loop has been round once
            if runner.health.last_cycle is not None:
                break
            await asyncio.sleep(0.01)
        running = await client.get("/readyz")
        assert running.status_code == 200, running.text
        assert running.json()["timers"]["running"] is True
    finally:
        stop.set()
        await task
    assert (await client.get("/readyz")).status_code == 503
