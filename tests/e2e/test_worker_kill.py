"""A worker process killed with SIGKILL mid-escalation, then restarted: the call goes on at
the right level, nobody is rung twice for one attempt, nothing is lost. Real processes, real
time, both databases."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.clock import SystemClock
from callroute.config import Settings
from callroute.db.session import Database
from tests import callsetup
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant
from tests.integration.test_call_flow import rung_numbers

pytestmark = pytest.mark.e2e
FINAL = {"completed", "missed", "voicemail", "rejected", "failed"}


@pytest.fixture
async def live(db_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Tenant]]:
    """The API on the real clock, without a timer runner: only the worker processes run
    timers in this test."""
    settings = Settings(database_url=db_url, secret_key=TEST_SECRET_KEY, rate_limit_per_minute=0)
    ctx = AppContext(settings=settings, db=Database(db_url), clock=SystemClock())
    app = create_app(ctx=ctx, run_timers=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        yield client, await make_tenant(ctx, "Kill test")
    await ctx.db.dispose()


def start_worker(db_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CALLROUTE_DATABASE_URL": db_url,
        "CALLROUTE_SECRET_KEY": TEST_SECRET_KEY,
        "CALLROUTE_TIMER_LEASE_SECONDS": "2",
        "CALLROUTE_LOG_FORMAT": "json",
    }
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "callroute", "worker"],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


async def wait_for(predicate, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out waiting")


async def test_sigkill_mid_escalation_then_restart(
    live: tuple[httpx.AsyncClient, Tenant], db_url: str, tmp_path: Path
) -> None:
    client, tenant = live
    line = await callsetup.routed_line(client, tenant, levels=None)
    await client.patch(
        f"/api/v1/escalation-policies/{line.policy['id']}",
        json={
            "levels": [
                {
                    "ring_timeout_seconds": 5,
                    "targets": [
                        {"type": "member", "id": line.members["Ann"]["id"]},
                        {"type": "member", "id": line.members["Bob"]["id"]},
                    ],
                },
                {
                    "ring_timeout_seconds": 5,
                    "targets": [{"type": "member", "id": line.members["Chris"]["id"]}],
                },
            ]
        },
        headers=tenant.headers,
    )
    log = tmp_path / "worker.log"
    worker = start_worker(db_url, log)
    try:
        placed = await callsetup.place(client, tenant, line, default="no-answer", message_seconds=1)

        async def bob_is_ringing() -> bool:
            entries = await callsetup.timeline(client, tenant, placed["id"])
            return "r0-l0-a1-n0" in rung_numbers(entries)

        try:
            await wait_for(bob_is_ringing, 30)
        except AssertionError as exc:
            raise AssertionError(f"worker log:\n{log.read_text()[-4000:]}") from exc
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        await asyncio.sleep(1.0)
        worker = start_worker(db_url, log)

        async def finished() -> bool:
            record = await callsetup.call(client, tenant, placed["id"])
            return record["status"] in FINAL

        await wait_for(finished, 60)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "voicemail", log.read_text()[-3000:]
    assert [(leg["member_name"], leg["status"]) for leg in record["legs"]] == [
        ("Ann", "no_answer"),
        ("Bob", "no_answer"),
        ("Chris", "no_answer"),
    ]
    entries = await callsetup.timeline(client, tenant, placed["id"])
    assert rung_numbers(entries) == {"r0-l0-a0-n0": 1, "r0-l0-a1-n0": 1, "r0-l1-a0-n0": 1}
    assert record["recordings"][0]["duration_seconds"] == 1
