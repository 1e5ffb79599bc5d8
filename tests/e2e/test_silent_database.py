"""PostgreSQL goes silent for 5 s (a network partition: connections stay open, nothing gets
through) while calls ring. `callroute serve` and `callroute worker` are real processes behind a
TCP proxy the test silences: both stay up, every API request during the silence answers 503
within the connect timeout (+1 s), and every call in flight ends correctly afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.clock import SystemClock
from callroute.config import Settings
from callroute.db.session import Database
from tests import callsetup
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant
from tests.proxy import CuttableProxy

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)]
CONNECT_TIMEOUT = 2
SILENCE_SECONDS = 5
FINAL = {"completed", "missed", "voicemail", "rejected", "failed"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def proxied(db_url: str) -> AsyncIterator[tuple[CuttableProxy, str]]:
    url = make_url(db_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    await proxy.stop()


def start(args: list[str], url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CALLROUTE_DATABASE_URL": url,
        "CALLROUTE_SECRET_KEY": TEST_SECRET_KEY,
        "CALLROUTE_DB_CONNECT_TIMEOUT_SECONDS": str(CONNECT_TIMEOUT),
        "CALLROUTE_TIMER_LEASE_SECONDS": "3",
        "CALLROUTE_RATE_LIMIT_PER_MINUTE": "0",
        "CALLROUTE_LOG_FORMAT": "json",
        "CALLROUTE_LOG_LEVEL": "WARNING",
    }
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "callroute", *args], env=env, stdout=handle, stderr=handle
    )


async def until_ready(http: httpx.AsyncClient, url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (await http.get(url, timeout=5)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"{url} never became ready:\n{tail(log)}")


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


async def timed(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[int, float]:
    started = time.monotonic()
    response = await http.get(url, headers=headers, timeout=30)
    return response.status_code, time.monotonic() - started


@pytest.fixture
async def direct(db_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Tenant]]:
    """The API in this process on the database itself (not through the proxy), to set up
    and to read the outcome."""
    settings = Settings(database_url=db_url, secret_key=TEST_SECRET_KEY, rate_limit_per_minute=0)
    ctx = AppContext(settings=settings, db=Database(db_url), clock=SystemClock())
    app = create_app(ctx=ctx, run_timers=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        yield client, await make_tenant(ctx, "Partition")
    await ctx.db.dispose()


async def test_a_silent_database_is_waited_out_and_every_call_ends(
    proxied: tuple[CuttableProxy, str],
    direct: tuple[httpx.AsyncClient, Tenant],
    tmp_path: Path,
) -> None:
    proxy, url = proxied
    client, tenant = direct
    line = await callsetup.routed_line(client, tenant)
    short = await client.patch(
        f"/api/v1/escalation-policies/{line.policy['id']}",
        json={
            "levels": [
                {
                    "ring_timeout_seconds": 5,
                    "targets": [{"type": "member", "id": line.members[name]["id"]}],
                }
                for name in ("Ann", "Bob")
            ]
        },
        headers=tenant.headers,
    )
    assert short.status_code == 200, short.text
    api_port, worker_port = free_port(), free_port()
    log = tmp_path / "processes.log"
    processes = [
        start(["serve", "--port", str(api_port)], url, log),
        start(["worker", "--port", str(worker_port)], url, log),
    ]
    api, worker = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{worker_port}"
    try:
        async with httpx.AsyncClient() as http:
            await until_ready(http, f"{api}/readyz", log)
            await until_ready(http, f"{worker}/readyz", log)
            placed = []
            for i in range(4):
                body = {"to": line.number, "from": f"+4420718387{i:02}", "message_seconds": 1}
                response = await http.post(
                    f"{api}/api/v1/simulator/calls", json=body, headers=tenant.headers
                )
                assert response.status_code == 201, response.text
                placed.append(response.json()["id"])

            proxy.silence()
            silenced = time.monotonic()
            answers: list[tuple[int, float]] = []
            while time.monotonic() - silenced < SILENCE_SECONDS:
                answers += await asyncio.gather(
                    timed(http, f"{api}/api/v1/calls", tenant.headers),
                    timed(http, f"{api}/readyz", {}),
                )
            alive = (await http.get(f"{worker}/healthz", timeout=5)).status_code
            worker_ready = (await http.get(f"{worker}/readyz", timeout=10)).status_code
            proxy.restore()

            assert {status for status, _ in answers} == {503}, answers
            slowest = max(seconds for _, seconds in answers)
            assert slowest < CONNECT_TIMEOUT + 1, answers
            assert (alive, worker_ready) == (200, 503)
            assert [p.poll() for p in processes] == [None, None], tail(log)

            deadline = time.monotonic() + 90
            statuses: list[str] = []
            while time.monotonic() < deadline:
                statuses = [
                    (await callsetup.call(client, tenant, call_id))["status"] for call_id in placed
                ]
                if all(status in FINAL for status in statuses):
                    break
                await asyncio.sleep(0.5)
            assert statuses == ["voicemail"] * 4, tail(log)
            await until_ready(http, f"{worker}/readyz", log)
            await until_ready(http, f"{api}/readyz", log)
            after = await http.get(f"{api}/api/v1/calls", headers=tenant.headers)
            assert after.status_code == 200  # no stale connection handed out after the cut
            assert [p.poll() for p in processes] == [None, None], tail(log)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
