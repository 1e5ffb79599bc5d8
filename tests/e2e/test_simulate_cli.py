"""A newcomer's first call: `callroute demo` then the printed `callroute simulate` command
walks through greeting, menu, two escalation levels and voicemail."""

from __future__ import annotations

import asyncio
import re
import shlex
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.clock import SystemClock
from callroute.config import Settings
from callroute.db.session import Database
from callroute.models import Timer
from tests import callsetup
from tests.conftest import TEST_SECRET_KEY, make_tenant
from tests.e2e.test_cli import one_line_error, run_cli

pytestmark = pytest.mark.e2e


def test_the_printed_simulate_command_walks_the_whole_pipeline(db_url: str) -> None:
    demo = run_cli("demo", db_url=db_url)
    assert "owner API key" in demo.stdout
    command = demo.stdout.strip().splitlines()[-1].strip()
    assert command.startswith(".venv/bin/callroute simulate call ")
    again = run_cli("demo", db_url=db_url)  # idempotent: same number, no new key
    assert again.stdout.strip().splitlines()[-1].strip() == command
    assert "API key" not in again.stdout

    args = [*shlex.split(command)[1:], "--fast"]
    result = run_cli(*args, db_url=db_url, extra_env={"CALLROUTE_LOG_LEVEL": "WARNING"})
    out = result.stdout
    expected_in_order = [
        "says: “Thanks for calling the demo hotline.”",
        "asks: “Press 1 for the on-call engineer, 2 to leave a message.”",
        "caller pressed “1”",
        "level started: level=0, round=0",
        "level started: level=1, round=0",
        "records a voicemail",
        "call ended: voicemail",
        "transcript:",
        "final status: voicemail",
    ]
    positions = [out.find(text) for text in expected_in_order]
    assert all(p >= 0 for p in positions), out
    assert positions == sorted(positions), out
    assert re.search(r"rings Ann at \+1\d+, Bob at \+1\d+, Chris at \+1\d+", out), out


def test_simulate_refuses_a_number_that_is_not_a_simulator_line(db_url: str) -> None:
    run_cli("demo", db_url=db_url)
    result = run_cli(
        "simulate", "call", "--to", "+14155550177", "--fast", db_url=db_url, check=False
    )
    assert "no phone number +14155550177" in one_line_error(result)
    bad = run_cli(
        "simulate",
        "call",
        "--to",
        "+14155550177",
        "--script",
        "Ann=dance",
        db_url=db_url,
        check=False,
    )
    assert "unknown phone behaviour" in one_line_error(bad)


async def test_a_fast_simulation_never_fires_another_calls_timers(
    db_url: str, tmp_path: Path
) -> None:
    """`simulate --fast` runs its own call on a virtual clock; a call placed beside it on the
    real clock keeps its timers, untouched, for their own time."""
    settings = Settings(database_url=db_url, secret_key=TEST_SECRET_KEY, rate_limit_per_minute=0)
    ctx = AppContext(settings=settings, db=Database(db_url), clock=SystemClock())
    app = create_app(ctx=ctx, run_timers=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            tenant = await make_tenant(ctx, "Beside")
            line = await callsetup.routed_line(client, tenant)
            beside = await callsetup.place(client, tenant, line, default="no-answer")
            before = await _timers_of(ctx, beside["id"])
            assert before  # its dispatch, its phones' events and its ring timeout wait
            entries = await callsetup.timeline(client, tenant, beside["id"])

            await asyncio.to_thread(
                run_cli,
                *("simulate", "call", "--to", line.number, "--fast", "--default", "no-answer"),
                db_url=db_url,
                extra_env={"CALLROUTE_LOG_LEVEL": "WARNING"},
            )
            calls = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
            simulated = [c for c in calls if c["id"] != beside["id"]]
            assert [c["status"] for c in simulated] == ["voicemail"]  # it ran to its end
            assert await _timers_of(ctx, beside["id"]) == before
            assert await callsetup.timeline(client, tenant, beside["id"]) == entries
            assert (await callsetup.call(client, tenant, beside["id"]))["status"] == (
                beside["status"]
            )
    finally:
        await ctx.http.aclose()
        await ctx.db.dispose()


async def _timers_of(ctx: AppContext, call_id: str) -> list[tuple[str, str, object]]:
    async with ctx.db.unit_of_work(readonly=True) as session:
        rows = await session.execute(
            select(Timer.kind, Timer.due_at, Timer.claimed_by).where(
                Timer.call_id == uuid.UUID(call_id)
            )
        )
        return sorted((kind, due.isoformat(), claimed) for kind, due, claimed in rows.all())
