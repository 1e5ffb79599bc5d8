"""`make run` on a clean checkout's embedded default answers /healthz quickly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_make_run_answers_healthz_within_10_seconds(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CALLROUTE_DATABASE_URL": f"sqlite:///{tmp_path}/callroute.db",
        "CALLROUTE_LOG_FORMAT": "json",
    }
    env.pop("CALLROUTE_SECRET_KEY", None)  # the embedded default makes its own
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started = time.monotonic()
    answered = None
    try:
        while time.monotonic() - started < 10 and process.poll() is None:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode()
    assert answered is not None, output
    assert answered.status_code == 200
    assert answered.json() == {"status": "ok"}
    assert (tmp_path / "callroute.db.key").exists()  # generated secret for the embedded default
