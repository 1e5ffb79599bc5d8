"""The inbound-call decision path over HTTP, beside a static response from the same server.

A real `callroute serve` (one process, PostgreSQL, timer runner off so that only the decision
is measured) answers, at 50 concurrent callers:

- static: `GET /healthz`;
- decision: `POST /api/v1/simulator/calls` — find the number's router, take the snapshot
  (pipeline + who is on call, resolved from the directory), run the first engine step and
  persist the call, its timeline, alert and timers.

Run: `.venv/bin/python -m bench.bench_decision [--seconds 20] [--concurrency 50]`
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx

from bench.common import SECRET, drop_database, load, scratch_database, seed_router
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


async def main(seconds: float, concurrency: int) -> None:
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
            body = {"to": seeded.number, "from": "+442071838750", "default": "no-answer"}

            async def static() -> bool:
                return (await client.get("/healthz")).status_code == 200

            async def decision() -> bool:
                response = await client.post("/api/v1/simulator/calls", json=body, headers=headers)
                return response.status_code == 201

            await load(static, concurrency=concurrency, seconds=2)  # warm-up
            await load(decision, concurrency=concurrency, seconds=2)
            results = {}
            for name, request in (
                ("static `GET /healthz`", static),
                ("decision `POST /api/v1/simulator/calls`", decision),
                ("static again", static),
            ):
                results[name] = await load(request, concurrency=concurrency, seconds=seconds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        await drop_database(url)
    static_rps = (
        results["static `GET /healthz`"].throughput + results["static again"].throughput
    ) / 2
    print(
        f"`.venv/bin/python -m bench.bench_decision --seconds {seconds:g} "
        f"--concurrency {concurrency}`; one `callroute serve` process on PostgreSQL, "
        f"{time.strftime('%Y-%m-%d')}\n"
    )
    print("| endpoint | requests | errors | req/s | p50 ms | p99 ms | req/s vs static |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, result in results.items():
        print(
            f"| {name} | {result.requests} | {result.errors} | {result.throughput:,.0f} | "
            f"{result.median * 1000:.1f} | {result.percentile(0.99) * 1000:.1f} | "
            f"{result.throughput / static_rps:.0%} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.concurrency))
