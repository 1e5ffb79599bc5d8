"""Shared pieces of the benchmarks: a scratch PostgreSQL database, a seeded router, load."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from callroute.clock import SystemClock
from callroute.connections.schemas import ConnectionCreate, ConnectionKind
from callroute.connections.service import ConnectionService
from callroute.crypto import SecretKeys
from callroute.db.connect import create_engine
from callroute.db.schema import migrate
from callroute.db.session import Database
from callroute.escalation_policies.schemas import PolicyCreate
from callroute.escalation_policies.service import PolicyService
from callroute.members.schemas import MemberCreate
from callroute.members.service import MemberService
from callroute.numbers.schemas import NumberClaim
from callroute.numbers.service import NumberService
from callroute.projects.service import ProjectService
from callroute.routers.schemas import RouterCreate
from callroute.routers.service import RouterService

POSTGRES = os.environ.get(
    "CALLROUTE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SECRET = "bench-secret-key-" + "x" * 32


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def scratch_database() -> str:
    name = f"callroute_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(_dsn(POSTGRES))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    return url


async def drop_database(url: str) -> None:
    connection = await asyncpg.connect(_dsn(POSTGRES))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()


@dataclass(frozen=True)
class Seeded:
    project_id: uuid.UUID
    number: str
    members: list[str]


async def seed_router(url: str, *, ring_timeout: int = 30, responders: int = 3) -> Seeded:
    """A project with responders, a one-level policy and a router on a simulator number."""
    clock = SystemClock()
    db = Database(url)
    try:
        async with db.unit_of_work() as session:
            project = await ProjectService(session, clock).create(f"Bench {uuid.uuid4().hex[:6]}")
            members = []
            for index in range(responders):
                member = await MemberService(session, project.id, clock).create(
                    MemberCreate.model_validate(
                        {
                            "name": f"Responder {index}",
                            "phones": [{"number": f"+1415555{index:04d}"}],
                        }
                    )
                )
                members.append(str(member.id))
            policy = await PolicyService(session, project.id, clock).create(
                PolicyCreate.model_validate(
                    {
                        "name": "Bench",
                        "levels": [
                            {
                                "ring_timeout_seconds": ring_timeout,
                                "targets": [{"type": "member", "id": m} for m in members],
                            }
                        ],
                    }
                )
            )
            connection = await ConnectionService(
                session, project.id, clock, SecretKeys(SECRET)
            ).create(ConnectionCreate(name="Sim", kind=ConnectionKind.SIMULATOR))
            number = await NumberService(session, project.id, clock).claim(
                NumberClaim(connection_id=connection.id, country="US")
            )
            await RouterService(session, project.id, clock).create(
                RouterCreate.model_validate(
                    {
                        "name": "Bench router",
                        "phone_number_ids": [str(number.id)],
                        "greeting": {"text": "Hello."},
                        "action": {
                            "type": "ring",
                            "target": {"type": "escalation_policy", "id": str(policy.id)},
                        },
                    }
                )
            )
            return Seeded(project.id, number.number, members)
    finally:
        await db.dispose()


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc: the server's cost per
    request, which a busy machine distorts far less than its throughput."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


WRK_THREADS = 2


def run_wrk(
    url: str, script: Path, seconds: float, concurrency: int
) -> tuple[int, int, float, float, float]:
    """requests, non-2xx, req/s, p50 ms, p99 ms of one wrk run with a Lua ``script``."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(WRK_THREADS, concurrency)}",  # wrk needs a connection per thread
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        assert match, out
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return total, int(errors.group(1)) if errors else 0, rps, ms("50"), ms("99")


# requests, errors (non-2xx), req/s, p50 ms, p99 ms, server CPU ms per request
Measured = tuple[int, int, float, float, float, float]


def print_against_static(
    command: str, results: dict[str, Measured], static: tuple[str, str], errors: str = "errors"
) -> None:
    """The results as a Markdown table, each throughput as a share of the static baseline
    (the mean of the runs named in ``static``, measured before and after)."""
    static_rps = (results[static[0]][2] + results[static[1]][2]) / 2
    print(f"{command}, {time.strftime('%Y-%m-%d')}\n")
    columns = ("requests", errors, "req/s", "p50 ms", "p99 ms", "server CPU ms/req")
    print("| endpoint | " + " | ".join(columns) + " | req/s vs static |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, (total, failed, rps, p50, p99, cpu_ms) in results.items():
        print(
            f"| {name} | {total} | {failed} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | "
            f"{cpu_ms:.2f} | {rps / static_rps:.0%} |"
        )


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)


async def load(
    request: Callable[[], Awaitable[bool]], *, concurrency: int, seconds: float
) -> LoadResult:
    """Keep ``concurrency`` requests in flight for ``seconds``; bounded in count and time."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def user() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = await request()
            latencies.append(time.perf_counter() - started)
            errors += not ok

    began = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    return LoadResult(len(latencies), errors, time.perf_counter() - began, latencies)
