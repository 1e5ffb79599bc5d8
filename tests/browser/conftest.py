"""Pages as a person sees them: Debian's Chromium, driven by Playwright, against a real
`callroute serve` with the demo seeded.

- ``browser`` (session): one headless Chromium per test process, with a fresh profile in a
  temporary directory. Every request to a host other than 127.0.0.1 is aborted and recorded in
  ``browser.blocked``, so a test can assert that a page asked nothing of the internet (this
  machine has no internet: a page that needs it is broken for a user without it, too).
  Without ``/usr/bin/chromium`` the browser tests are skipped, with the reason; under
  ``CI=true`` they fail instead (``.ci/run`` installs it), so CI never passes without them.
- ``page`` (each test): a new tab in that browser, with the record of blocked requests emptied.
- ``served`` (each test): a migrated SQLite database of the test's own (a copy of the
  session's migrated template), the demo seeded with `callroute demo`, and `callroute serve`
  on a free port, stopped after the test; gives the base URL and the demo's owner API key.

Playwright's async API runs on one event loop for the whole session (``loop_scope="session"``,
which the test modules mark too). Its sync API would not do: between two of its calls it
leaves its own loop marked as running in the thread, which breaks every asyncio test that the
same xdist worker runs afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, Route, async_playwright, expect

from tests import databases
from tests.conftest import TEST_SECRET_KEY
from tests.databases import IN_CI
from tests.e2e.test_make_run import free_port

CHROMIUM = Path("/usr/bin/chromium")
# The flags this machine's Chromium needs: no display, no sandbox (tests run as root), and none
# of the requests Chromium makes by itself (component updates, safe browsing ...).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
LOCAL_HOST = "127.0.0.1"
# Bounds, not expectations: on a loaded two-core machine Swagger UI has taken up to 15 s to
# parse its 1.5 MB script and lay out the 0.8 MB document (147 operations).
ACTION_TIMEOUT_MS = 60_000
STARTUP_BOUND_SECONDS = 120
DEMO_KEY = re.compile(r"Its owner API key \(shown once\): (crk_\S+)")
DEMO_PASSWORD = re.compile(r"with the password \(shown once\): (\S+)")

expect.set_options(timeout=ACTION_TIMEOUT_MS)


@dataclass
class Chromium:
    context: BrowserContext
    blocked: list[str] = field(default_factory=list)  # URLs aborted: not on 127.0.0.1

    async def route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != LOCAL_HOST:
            self.blocked.append(url)
            await route.abort("blockedbyclient")
        else:
            await route.continue_()


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run installs it)"
        if IN_CI:
            pytest.fail(f"CI=true runs the browser tests. {reason}")
        pytest.skip(reason)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Chromium]:
    _require_chromium()
    async with async_playwright() as playwright:
        # A persistent context is the one way Playwright takes a profile directory of ours
        # (launch() refuses --user-data-dir in the arguments).
        context = await playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path_factory.mktemp("chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        chromium = Chromium(context)
        await context.route("**/*", chromium.route)
        try:
            yield chromium
        finally:
            await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Chromium) -> AsyncIterator[Page]:
    browser.blocked.clear()
    tab = await browser.context.new_page()
    try:
        yield tab
    finally:
        await tab.close()
        await browser.context.clear_cookies()  # cookies are per host, not per port


@dataclass(frozen=True)
class Served:
    url: str  # http://127.0.0.1:<port>
    key: str  # the demo project's owner API key
    password: str  # the console password of the demo's owner (owner@demo.example)

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


@pytest.fixture
def served(sqlite_template: Path, tmp_path: Path) -> Iterator[Served]:
    env = _environment(databases.sqlite_copy(sqlite_template, tmp_path))
    printed = _callroute("demo", env=env)
    found = DEMO_KEY.search(printed)
    assert found, "callroute demo printed no owner API key"
    key = found.group(1)
    signs_in = DEMO_PASSWORD.search(printed)
    assert signs_in, "callroute demo printed no console password"
    log = tmp_path / "serve.log"
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
        yield Served(url=url, key=key, password=signs_in.group(1))
    finally:
        _stop(process)
