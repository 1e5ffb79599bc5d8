"""The inbound-call decision path over HTTP, beside a static response from the same server.

A real `callroute serve` (one process, PostgreSQL, timer runner off so that only the decision
is measured) answers, at 50 concurrent callers:

- static: `GET /healthz`;
- decision: `POST /api/v1/simulator/calls` — find the number's router, take the snapshot
  (pipeline + who is on call, resolved from the directory), run the first engine step and
  persist the call, its timeline, alert and timers.

Run: `.venv/bin/python -m bench.bench_decision [--seconds 20] [--concurrency 50] [--wrk]`

With `--wrk` the load comes from wrk (Debian package `wrk`), a C load generator that leaves
the server most of the CPU; without it, from an asyncio httpx client in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.common import (
    SECRET,
    Measured,
    drop_database,
    load,
    print_against_static,
    run_wrk,
    scratch_database,
    seed_router,
    server_cpu_seconds,
)
from callroute.api_keys.schemas import ApiKeyCreate
from callroute.api_keys.service import ApiKeyService
from callroute.auth.permissions import Role
from callroute.clock import SystemClock
from callroute.db.session import Database


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _key(url: str, project_id: object) -> str:
    db = Database(url)
    try:
        async with db.unit_of_work() as session:
            _row, secret = await ApiKeyService(session, project_id, SystemClock()).create(  # type: ignore[arg-type]
                ApiKeyCreate(name="bench", role=Role.OWNER), granter=None
            )
            return secret
    finally:
        await db.dispose()


def wrk(
    url: str,
    seconds: float,
    concurrency: int,
    *,
    body: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, int, float, float, float]:
    """requests, errors, req/s, p50 ms, p99 ms from one wrk run."""
    script = Path(tempfile.mkdtemp()) / "request.lua"
    lines = []
    if body is not None:
        lines += [
            'wrk.method = "POST"',
            f"wrk.body = {json.dumps(json.dumps(body))}",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    for name, value in (headers or {}).items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    script.write_text("\n".join(lines) + "\n")
    return run_wrk(url, script, seconds, concurrency)


async def main(seconds: float, concurrency: int, use_wrk: bool = False) -> None:
    url = await scratch_database()
    server = None
    try:
        seeded = await seed_router(url)
        key = await _key(url, seeded.project_id)
        port = _port()
        env = {
            **os.environ,
            "CALLROUTE_DATABASE_URL": url,
            "CALLROUTE_SECRET_KEY": SECRET,
            "CALLROUTE_RUN_TIMERS": "false",
            "CALLROUTE_RATE_LIMIT_PER_MINUTE": "0",
            "CALLROUTE_LOG_LEVEL": "WARNING",
            "CALLROUTE_LOG_FORMAT": "json",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "callroute", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            for _ in range(100):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            headers = {"Authorization": f"Bearer {key}"}
            body: dict[str, object] = {
                "to": seeded.number,
                "from": "+442071838750",
                "default": "no-answer",
            }

            async def static() -> bool:
                return (await client.get("/healthz")).status_code == 200

            async def decision() -> bool:
                response = await client.post("/api/v1/simulator/calls", json=body, headers=headers)
                return response.status_code == 201

            await load(static, concurrency=concurrency, seconds=2)  # warm-up
            await load(decision, concurrency=concurrency, seconds=2)
            results: dict[str, Measured] = {}
            runs = (
                ("static `GET /healthz`", static, "/healthz", None),
                (
                    "decision `POST /api/v1/simulator/calls`",
                    decision,
                    "/api/v1/simulator/calls",
                    body,
                ),
                ("static again", static, "/healthz", None),
            )
            for name, request, path, payload in runs:
                cpu_before = server_cpu_seconds(server.pid)
                if use_wrk:
                    measured = await asyncio.to_thread(
                        wrk,
                        base + path,
                        seconds,
                        concurrency,
                        body=payload,
                        headers=headers if payload else None,
                    )
                else:
                    r = await load(request, concurrency=concurrency, seconds=seconds)
                    measured = (
                        r.requests,
                        r.errors,
                        r.throughput,
                        r.median * 1000,
                        r.percentile(0.99) * 1000,
                    )
                cpu = server_cpu_seconds(server.pid) - cpu_before
                results[name] = (*measured, cpu * 1000 / max(1, measured[0]))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        await drop_database(url)
    flags = " --wrk" if use_wrk else ""
    print_against_static(
        f"`.venv/bin/python -m bench.bench_decision --seconds {seconds:g} "
        f"--concurrency {concurrency}{flags}`; one `callroute serve` process on PostgreSQL, "
        f"load from {'wrk' if use_wrk else 'httpx'}",
        results,
        ("static `GET /healthz`", "static again"),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--wrk", action="store_true", help="load from wrk instead of httpx")
    args = parser.parse_args()
    if args.wrk and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    asyncio.run(main(args.seconds, args.concurrency, args.wrk))
