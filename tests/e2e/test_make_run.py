"""`make run` on a clean checkout's embedded default comes up and answers /healthz.

How fast it comes up is not asserted here (a loaded machine is slow; speed belongs in a
benchmark): the bound only keeps a server that never answers from hanging the suite."""

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


STARTUP_BOUND_SECONDS = 120


def test_make_run_serves_the_embedded_default(tmp_path: Path) -> None:
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
        while time.monotonic() - started < STARTUP_BOUND_SECONDS and process.poll() is None:
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
