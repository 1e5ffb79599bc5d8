"""A Twilio that answers every REST request slower than a worker's lease, and a worker killed
while its request is out: real worker processes, real time, Twilio's REST API answered by the
fake of tests/twilio on a real port. Every responder's call is created exactly once per attempt
and every call ends as it should."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.clock import SystemClock
from callroute.config import Settings
from callroute.db.session import Database
from tests import factories
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant
from tests.twilio import server
from tests.twilio.cloud import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, Phone, TwilioCloud, sid
from tests.twilio.server import CloudApp

pytestmark = pytest.mark.e2e
FINAL = {"completed", "missed", "voicemail", "rejected", "failed"}
LEASE_SECONDS = 2
REST_SECONDS = 3.0  # every answer of the fake Twilio takes this long: more than the lease
CREW = [(f"Crew {i}", f"+1415555030{i}") for i in range(6)]  # three levels of two


@pytest.fixture
def twilio() -> Iterator[tuple[TwilioCloud, str, CloudApp]]:
    cloud = TwilioCloud()
    with server.serve(cloud) as (url, app):
        yield cloud, url, app


@pytest.fixture
async def live(
    db_url: str, twilio: tuple[TwilioCloud, str, CloudApp]
) -> AsyncIterator[tuple[httpx.AsyncClient, Tenant]]:
    """The API on the real clock, without a timer runner (only worker processes run timers),
    talking to the fake Twilio over HTTP."""
    settings = Settings(
        database_url=db_url,
        secret_key=TEST_SECRET_KEY,
        rate_limit_per_minute=0,
        public_url=PUBLIC_URL,
        twilio_api_url=twilio[1],
    )
    ctx = AppContext(settings=settings, db=Database(db_url), clock=SystemClock())
    app = create_app(ctx=ctx, run_timers=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        yield client, await make_tenant(ctx, "Slow Twilio")
    await ctx.http.aclose()
    await ctx.db.dispose()


def start_worker(db_url: str, twilio_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CALLROUTE_DATABASE_URL": db_url,
        "CALLROUTE_SECRET_KEY": TEST_SECRET_KEY,
        "CALLROUTE_PUBLIC_URL": PUBLIC_URL,
        "CALLROUTE_TWILIO_API_URL": twilio_url,
        "CALLROUTE_TIMER_LEASE_SECONDS": str(LEASE_SECONDS),
        "CALLROUTE_LOG_FORMAT": "json",
        "CALLROUTE_LOG_LEVEL": "WARNING",
    }
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "callroute", "worker"], env=env, stdout=handle, stderr=handle
    )


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()


async def hotline(client: httpx.AsyncClient, tenant: Tenant) -> str:
    """Three levels of two responders rung at once, in hold mode; nobody answers and the
    caller then hears the no-answer message (the call needs no more of Twilio's webhooks to
    end). Returns the router's number."""
    members = [await factories.member(client, tenant, name, number) for name, number in CREW]
    levels = [
        {
            "strategy": "simultaneous",
            "ring_timeout_seconds": 5,
            "targets": [{"type": "member", "id": m["id"]} for m in members[i : i + 2]],
        }
        for i in (0, 2, 4)
    ]
    policy = await factories.post(
        client, tenant, "escalation-policies", {"name": "Three levels", "levels": levels}
    )
    connection = await factories.post(
        client,
        tenant,
        "connections",
        {
            "name": "Twilio",
            "kind": "twilio",
            "twilio": {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
        },
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "number": "+12015550123"}
    )
    await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": "Hotline",
            "phone_number_ids": [number["id"]],
            "ringing": {"mode": "hold"},
            "fallback": "message",
            "action": {"type": "ring", "target": {"type": "escalation_policy", "id": policy["id"]}},
        },
    )
    return str(number["number"])


async def wait_until_final(
    client: httpx.AsyncClient, tenant: Tenant, seconds: float, log: Path
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        calls = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
        if calls and all(c["status"] in FINAL for c in calls):
            return [
                (await client.get(f"/api/v1/calls/{c['id']}", headers=tenant.headers)).json()
                for c in calls
            ]
        await asyncio.sleep(0.25)
    raise AssertionError(f"calls did not end; worker log:\n{tail(log)}")


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


def creations(cloud: TwilioCloud) -> collections.Counter[str]:
    return collections.Counter(r.one("To") or "" for r in cloud.made(r"/Calls\.json$"))


async def test_a_twilio_slower_than_the_lease_rings_each_responder_once(
    live: tuple[httpx.AsyncClient, Tenant],
    twilio: tuple[TwilioCloud, str, CloudApp],
    db_url: str,
    tmp_path: Path,
) -> None:
    client, tenant = live
    cloud, twilio_url, app = twilio
    number = await hotline(client, tenant)
    app.delay = REST_SECONDS
    log = tmp_path / "workers.log"
    workers = [start_worker(db_url, twilio_url, log) for _ in range(2)]
    try:
        callers = [Phone(client, sid("CA"), f"+4420718387{i:02}", number) for i in range(2)]
        for caller in callers:  # two calls at once, on two workers
            await caller.call()
        calls = await wait_until_final(client, tenant, 120, log)
    finally:
        for worker in workers:
            stop(worker)
    assert [c["status"] for c in calls] == ["missed", "missed"], tail(log)
    # Each responder was called once per call: twice in all, never a third time.
    assert creations(cloud) == {number: 2 for _, number in CREW}, tail(log)
    for call in calls:
        assert sorted(leg["member_name"] for leg in call["legs"]) == sorted(n for n, _ in CREW)
        assert all(leg["provider_leg_id"] for leg in call["legs"])


async def test_a_worker_killed_while_its_request_is_out_leaves_no_duplicate_call(
    live: tuple[httpx.AsyncClient, Tenant],
    twilio: tuple[TwilioCloud, str, CloudApp],
    db_url: str,
    tmp_path: Path,
) -> None:
    client, tenant = live
    cloud, twilio_url, app = twilio
    number = await hotline(client, tenant)
    app.delay = REST_SECONDS
    app.arrived.clear()
    log = tmp_path / "workers.log"
    worker = start_worker(db_url, twilio_url, log)
    try:
        await Phone(client, sid("CA"), "+442071838750", number).call()
        # Twilio has the requests to call both first responders, and is about to answer.
        deadline = time.monotonic() + 30
        while len(cloud.made(r"/Calls\.json$")) < 2 and time.monotonic() < deadline:
            await asyncio.to_thread(app.arrived.wait, 0.05)
        assert len(cloud.made(r"/Calls\.json$")) == 2, tail(log)
        worker.send_signal(signal.SIGKILL)  # it never hears that the calls were created
        worker.wait(10)
        first = creations(cloud)
        worker = start_worker(db_url, twilio_url, log)
        [call] = await wait_until_final(client, tenant, 120, log)
    finally:
        stop(worker)
    assert call["status"] == "missed"
    assert creations(cloud) == {number: 1 for _, number in CREW}, (first, tail(log))
    # The worker that took over asked Twilio what the first had created, and found it.
    assert cloud.made(r"/Calls\.json$", method="GET")
    level_one = {leg["number"]: leg["provider_leg_id"] for leg in call["legs"] if leg["level"] == 0}
    created = {c["to"]: s for s, c in cloud.calls.items() if c.get("to") in level_one}
    assert level_one == created
