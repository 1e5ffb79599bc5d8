"""A real `callroute serve` in a subprocess, with the demo seeded, for the tests that use the
product as a person does (tests/browser, tests/e2e/test_cli_client.py).

- ``served`` (each test): a migrated SQLite database of the test's own (a copy of the
  session's migrated template), the demo seeded with `callroute demo`, and `callroute serve`
  on a free port, stopped after the test; gives the base URL and the demo's owner API key.
- ``served_module`` (each module): the same, shared by a module's tests that only read, or
  only add calls of their own.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests import databases
from tests.conftest import TEST_SECRET_KEY
from tests.e2e.test_make_run import free_port

LOCAL_HOST = "127.0.0.1"
# A bound, not an expectation: a loaded two-core machine is slow to start a server.
STARTUP_BOUND_SECONDS = 120
DEMO_KEY = re.compile(r"Its owner API key \(shown once\): (crk_\S+)")
DEMO_PASSWORD = re.compile(r"with the password \(shown once\): (\S+)")
DEMO_NUMBER = re.compile(r"the simulator number (\+\d+)")


@dataclass(frozen=True)
class Served:
    url: str  # http://127.0.0.1:<port>
    key: str  # the demo project's owner API key
    password: str  # the console password of the demo's owner (owner@demo.example)
    number: str = ""  # the demo router's simulator number
    demo_output: str = ""  # what `callroute demo` printed

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def _environment(db_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "CALLROUTE_DATABASE_URL": db_url,
        "CALLROUTE_SECRET_KEY": TEST_SECRET_KEY,
        "CALLROUTE_LOG_FORMAT": "json",
        "COLUMNS": "200",  # the demo's key on one line
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # serve makes its own
    return env


def _callroute(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "callroute", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> bool:
    """True once /readyz answers 200; False if the process exited first."""
    deadline = time.monotonic() + STARTUP_BOUND_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"callroute serve did not become ready in {STARTUP_BOUND_SECONDS} s")


@contextmanager
def serving(sqlite_template: Path, directory: Path) -> Iterator[Served]:
    env = _environment(databases.sqlite_copy(sqlite_template, directory))
    printed = _callroute("demo", env=env)
    found = DEMO_KEY.search(printed)
    assert found, "callroute demo printed no owner API key"
    key = found.group(1)
    signs_in = DEMO_PASSWORD.search(printed)
    assert signs_in, "callroute demo printed no console password"
    number = DEMO_NUMBER.search(printed)
    log = directory / "serve.log"
    # The free port is free when chosen; another test process may take it before serve binds
    # it, and serve then exits at once, saying so: choose again.
    for _attempt in range(3):
        url = f"http://{LOCAL_HOST}:{free_port()}"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                [sys.executable, "-m", "callroute", "serve", "--port", url.rsplit(":", 1)[1]],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            ready = _wait_until_ready(url, process)
        except BaseException:
            _stop(process)
            raise
        if ready:
            break
        _stop(process)
        if "in use" not in log.read_text():
            raise AssertionError(f"callroute serve exited:\n{log.read_text()}")
    else:
        raise AssertionError(f"no free port for callroute serve:\n{log.read_text()}")
    try:
        # The server on that port is this test's: it knows the demo's key.
        answer = httpx.get(f"{url}/api/v1/project", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200, answer.text
        yield Served(
            url=url,
            key=key,
            password=signs_in.group(1),
            number=number.group(1) if number else "",
            demo_output=printed,
        )
    finally:
        _stop(process)


@pytest.fixture
def served(sqlite_template: Path, tmp_path: Path) -> Iterator[Served]:
    with serving(sqlite_template, tmp_path) as server:
        yield server


@pytest.fixture(scope="module")
def served_module(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    with serving(sqlite_template, tmp_path_factory.mktemp("served")) as server:
        yield server
