"""The database away for a while: requests fail fast with 503, timers fire late but fire,
no call record is lost. (PostgreSQL: the networked database; the embedded SQLite file cannot
go away from under its own process.)"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.config import Settings
from callroute.db.session import Database
from callroute.timers.runner import Runner
from tests import callsetup
from tests.conftest import START, TEST_SECRET_KEY, make_tenant
from tests.proxy import CuttableProxy


@pytest.fixture
async def proxy(db_url: str) -> AsyncIterator[tuple[CuttableProxy, str]]:
    url = make_url(db_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    await proxy.stop()


@pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)
async def test_outage_fails_fast_and_timers_fire_late_but_fire(
    proxy: tuple[CuttableProxy, str],
) -> None:
    cut, url = proxy
    clock = FrozenClock(START)
    settings = Settings(
        database_url=url,
        secret_key=TEST_SECRET_KEY,
        rate_limit_per_minute=0,
        db_connect_timeout_seconds=2,
    )
    ctx = AppContext(settings=settings, db=Database(url, connect_timeout=2), clock=clock)
    app = create_app(ctx=ctx, run_timers=False)
    tenant = await make_tenant(ctx, "Outage")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        line = await callsetup.routed_line(client, tenant)
        placed = await callsetup.place(client, tenant, line, phones={"Ann": "answer-after:3"})
        runner = Runner(ctx, worker_id="outage")
        await runner.tick()  # the first commands are carried out; Ann's phone will pick up

        cut.cut()
        started = time.monotonic()
        refused = await client.get("/api/v1/calls", headers=tenant.headers)
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "database_unavailable"
        assert time.monotonic() - started < 10  # fails fast, does not hang
        clock.advance(timedelta(seconds=8))  # Ann answers and presses 1 while it is down
        with pytest.raises((OSError, SQLAlchemyError)):
            await runner.tick()

        cut.restore()
        await runner.drain(clock)
        record = await callsetup.call(client, tenant, placed["id"])
    await ctx.db.dispose()
    assert record["status"] == "completed"
    assert record["answered_by"] == line.members["Ann"]["id"]
    assert record["legs"][0]["status"] == "completed"
