"""The inbound Twilio voice webhook over HTTP, beside a static TwiML answer of the same server.

A real server process (the callroute app, PostgreSQL, timer runner off so only the webhook is
measured) answers, at 50 concurrent connections:

- static: `POST /bench/static-twiml` — a constant TwiML document, through the same middleware;
- voice: `POST /webhooks/twilio/voice` — what Twilio sends when a call comes in: the signature
  checked with the account's auth token, the number's router found, the snapshot taken, the
  first step run and persisted (the call, its timeline, legs, alert, timers), TwiML rendered.

Every voice request is a new call: wrk replays bodies prepared here, each with its own CallSid
and its own X-Twilio-Signature (computed with the official library's validator).

Run: `.venv/bin/python -m bench.bench_twilio [--seconds 10] [--concurrency 50]` (needs `wrk`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import update
from twilio.request_validator import RequestValidator

from bench.bench_decision import _port
from bench.common import (
    SECRET,
    WRK_THREADS,
    drop_database,
    print_against_static,
    run_wrk,
    scratch_database,
    seed_router,
    server_cpu_seconds,
)
from callroute.clock import SystemClock
from callroute.connections.schemas import ConnectionCreate, ConnectionKind
from callroute.connections.service import ConnectionService
from callroute.crypto import SecretKeys
from callroute.db.session import Database
from callroute.models import PhoneNumber
from callroute.providers.twilio.account import TwilioAccountIn

ACCOUNT_SID = "AC" + "b2" * 16
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a made-up test account
PUBLIC_URL = "https://callroute.example.com"
VOICE = "/webhooks/twilio/voice"


async def _twilio_number(url: str, project_id: uuid.UUID, number: str) -> None:
    """Move the seeded number to a Twilio connection."""
    db = Database(url)
    try:
        async with db.unit_of_work() as session:
            connection = await ConnectionService(
                session, project_id, SystemClock(), SecretKeys(SECRET)
            ).create(
                ConnectionCreate(
                    name="Twilio",
                    kind=ConnectionKind.TWILIO,
                    twilio=TwilioAccountIn(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN),
                )
            )
            await session.execute(
                update(PhoneNumber)
                .where(PhoneNumber.number == number)
                .values(connection_id=connection.id)
            )
    finally:
        await db.dispose()


def _requests(number: str, count: int) -> Path:
    """A wrk script replaying ``count`` distinct, signed inbound-call requests."""
    validator = RequestValidator(AUTH_TOKEN)
    rows = []
    for _ in range(count):
        params = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": "CA" + uuid.uuid4().hex,
            "From": "+442071838750",
            "To": number,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        signature = validator.compute_signature(PUBLIC_URL + VOICE, params)
        rows.append((urlencode(params), signature))
    lines = ["local bodies = {"]
    lines += [f"  {{{json.dumps(body)}, {json.dumps(sig)}}}," for body, sig in rows]
    # Each of wrk's threads takes every THREADS-th body from its own offset: no call twice.
    lines += [
        "}",
        "local threads = 0",
        "function setup(thread)",
        "  thread:set('offset', threads)",
        "  threads = threads + 1",
        "end",
        "local n = 0",
        "request = function()",
        f"  local i = (offset + n * {WRK_THREADS}) % #bodies + 1",
        "  n = n + 1",
        "  local headers = {}",
        '  headers["Content-Type"] = "application/x-www-form-urlencoded"',
        '  headers["X-Twilio-Signature"] = bodies[i][2]',
        f'  return wrk.format("POST", "{VOICE}", headers, bodies[i][1])',
        "end",
    ]
    script = Path(tempfile.mkdtemp()) / "voice.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def _static_script() -> Path:
    script = Path(tempfile.mkdtemp()) / "static.lua"
    script.write_text('wrk.method = "POST"\nwrk.path = "/bench/static-twiml"\n')
    return script


async def main(seconds: float, concurrency: int) -> None:
    url = await scratch_database()
    server = None
    try:
        seeded = await seed_router(url)
        await _twilio_number(url, seeded.project_id, seeded.number)
        port = _port()
        env = {
            **os.environ,
            "CALLROUTE_DATABASE_URL": url,
            "CALLROUTE_SECRET_KEY": SECRET,
            "CALLROUTE_PUBLIC_URL": PUBLIC_URL,
            "CALLROUTE_RUN_TIMERS": "false",
            "CALLROUTE_RATE_LIMIT_PER_MINUTE": "0",
            "CALLROUTE_LOG_LEVEL": "WARNING",
            "CALLROUTE_LOG_FORMAT": "json",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.twilio_server", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(100):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        static, voice = _static_script(), _requests(seeded.number, 60_000)
        warm_up = _requests(seeded.number, 5_000)  # calls of its own: no replays below
        await asyncio.to_thread(run_wrk, base, warm_up, 2, concurrency)
        results = {}
        runs = (
            ("static TwiML `POST /bench/static-twiml`", static),
            ("voice webhook `POST /webhooks/twilio/voice`", voice),
            ("static TwiML again", static),
        )
        for name, script in runs:
            before = server_cpu_seconds(server.pid)
            measured = await asyncio.to_thread(run_wrk, base, script, seconds, concurrency)
            cpu_ms = (server_cpu_seconds(server.pid) - before) * 1000 / max(1, measured[0])
            results[name] = (*measured, cpu_ms)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        await drop_database(url)
    print_against_static(
        f"`.venv/bin/python -m bench.bench_twilio --seconds {seconds:g} "
        f"--concurrency {concurrency}`; one server process on PostgreSQL, load from wrk",
        results,
        (runs[0][0], runs[2][0]),
        errors="non-2xx",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    asyncio.run(main(args.seconds, args.concurrency))
