"""`callroute serve --workers 2` as an operator runs it: every process logs JSON lines, and
/metrics gives the same totals whichever process answers the scrape. A port in use is one
clear line, before anything claims to serve."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import TEST_SECRET_KEY
from tests.e2e.test_make_run import free_port

pytestmark = pytest.mark.e2e
REQUESTS = 40
SCRAPES = 8


def environment(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "CALLROUTE_DATABASE_URL": f"sqlite:///{tmp_path}/callroute.db",
        "CALLROUTE_SECRET_KEY": TEST_SECRET_KEY,
        "CALLROUTE_LOG_FORMAT": "json",
        "CALLROUTE_RATE_LIMIT_PER_MINUTE": "0",
        "CALLROUTE_AUTH_FAILURES_PER_MINUTE": "0",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # serve makes its own
    return env


def callroute(*args: str) -> list[str]:
    return [sys.executable, "-m", "callroute", *args]


def requests_counted(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name == "callroute_http_requests_total"
                and labels.get("route") == "/api/v1/teams"
                and labels.get("status") == "401"
            ):
                return sample.value
    return 0.0


async def one_request(port: int) -> httpx.Response:
    # A client each: a new connection each, so both processes get to accept some.
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"http://127.0.0.1:{port}/api/v1/teams")


async def traffic(port: int) -> list[httpx.Response]:
    return await asyncio.gather(*(one_request(port) for _ in range(REQUESTS)))


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not come up")


def test_two_worker_processes_log_json_and_agree_on_the_metrics(tmp_path: Path) -> None:
    env = environment(tmp_path)
    subprocess.run(callroute("migrate"), env=env, check=True, capture_output=True)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            callroute("serve", "--port", str(port), "--workers", "2"),
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(port, process)
        answered = asyncio.run(traffic(port))
        assert {response.status_code for response in answered} == {401}
        totals = []
        for _ in range(SCRAPES):
            scrape = httpx.get(f"http://127.0.0.1:{port}/metrics", headers={"Connection": "close"})
            totals.append(requests_counted(scrape.text))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert totals == [REQUESTS] * SCRAPES

    lines = log.read_text().splitlines()
    banner = [line for line in lines if line.startswith(("callroute ", "database: "))]
    # The command's own lines, printed by the parent: its banner and which database it uses.
    assert len(banner) == 2, lines
    records = [json.loads(line) for line in lines if line not in banner]
    assert records, lines
    assert all(record["level"] != "debug" for record in records)
    served = [r for r in records if r.get("event") == "request" and r["path"] == "/api/v1/teams"]
    assert len(served) == REQUESTS
    assert all(r["request_id"] and r["status"] == 401 for r in served)
    assert len({r["pid"] for r in served}) == 2, "both worker processes answered"
    assert not list(tmp_path.glob("callroute-metrics-*"))


def test_a_port_in_use_is_one_line_and_nothing_claims_to_serve(tmp_path: Path) -> None:
    env = environment(tmp_path)
    subprocess.run(callroute("migrate"), env=env, check=True, capture_output=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            callroute("serve", "--port", str(port)), env=env, capture_output=True, timeout=60
        )
    assert done.returncode == 1
    assert done.stdout == b""
    assert done.stderr.decode().splitlines()[1:] == [
        f"error: cannot listen on 127.0.0.1:{port}: the address is already in use"
    ]
