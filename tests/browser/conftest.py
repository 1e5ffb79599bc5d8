"""Pages as a person sees them: Debian's Chromium, driven by Playwright, against a real
`callroute serve` with the demo seeded.

- ``browser`` (session): one headless Chromium per test process, with a fresh profile in a
  temporary directory. Every request to a host other than 127.0.0.1 is aborted and recorded in
  ``browser.blocked``, so a test can assert that a page asked nothing of the internet (this
  machine has no internet: a page that needs it is broken for a user without it, too).
  Without ``/usr/bin/chromium`` the browser tests are skipped, with the reason; under
  ``CI=true`` they fail instead (``.ci/run`` installs it), so CI never passes without them.
- ``page`` (each test): a new tab in that browser, with the record of blocked requests emptied.
- ``served`` (each test): `tests/served.py`'s real `callroute serve` with the demo seeded.

Playwright's async API runs on one event loop for the whole session (``loop_scope="session"``,
which the test modules mark too). Its sync API would not do: between two of its calls it
leaves its own loop marked as running in the thread, which breaks every asyncio test that the
same xdist worker runs afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, Route, async_playwright, expect

from tests.databases import IN_CI
from tests.served import LOCAL_HOST, Served, served

__all__ = ["Served", "served"]  # the fixture, for this folder's tests

CHROMIUM = Path("/usr/bin/chromium")
# The flags this machine's Chromium needs: no display, no sandbox (tests run as root), and none
# of the requests Chromium makes by itself (component updates, safe browsing ...).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
# Bounds, not expectations: on a loaded two-core machine Swagger UI has taken up to 15 s to
# parse its 1.5 MB script and lay out the 0.8 MB document (147 operations).
ACTION_TIMEOUT_MS = 60_000

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
