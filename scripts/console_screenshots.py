"""Screenshots of the console for the docs, taken by the same headless Chromium as the
browser tests: `python scripts/console_screenshots.py URL EMAIL PASSWORD OUT_DIR`.

Against a running `callroute serve` (e.g. `make run`, with the demo's sign-in it prints): it
places two simulated calls through the demo hotline, and shoots the sign-in, the overview,
the live calls, a call's page with its voicemail, the on-call page and the router's page.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]


async def main(url: str, email: str, password: str, out: Path) -> None:
    async with async_playwright() as playwright:
        with tempfile.TemporaryDirectory() as profile:
            context = await playwright.chromium.launch_persistent_context(
                user_data_dir=profile,
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport={"width": 1000, "height": 800},
            )
            page = await context.new_page()
            await page.goto(f"{url}/sign-in")
            await page.screenshot(path=out / "console-sign-in.png")
            await page.get_by_label("E-mail").fill(email)
            await page.get_by_label("Password").fill(password)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{url}/")
            await page.screenshot(path=out / "console-overview.png", full_page=True)
            # A call placed from the live page ("try it"): the caller leaves a voicemail, so
            # its page has the player, the alert and the whole timeline.
            await page.goto(f"{url}/live")
            await page.get_by_label("Keys the caller presses").fill("2")
            await page.get_by_label("Voicemail the caller leaves (seconds)").fill("6")
            await page.get_by_role("button", name="Place the call").click()
            await page.wait_for_url(re.compile(r".*/calls/[0-9a-f-]{36}$"))
            call_page = page.url
            # Another call rings while the first one records: the live page shows both.
            live = await context.new_page()
            await live.goto(f"{url}/live")
            await live.get_by_label("Keys the caller presses").fill("1")
            await live.get_by_label("Responders' phones").select_option("no-answer")
            await live.get_by_role("button", name="Place the call").click()
            await live.goto(f"{url}/live")
            await live.get_by_text("ringing level 1").first.wait_for(timeout=60_000)
            await live.screenshot(path=out / "console-live.png", full_page=True)
            await live.close()
            await page.goto(call_page)
            await page.get_by_text("voicemail recorded").wait_for(timeout=60_000)
            await page.screenshot(path=out / "console-call.png", full_page=True)
            await page.goto(f"{url}/on-call")
            await page.screenshot(path=out / "console-on-call.png", full_page=True)
            await page.goto(f"{url}/routers")
            await page.locator("main a", has_text="Demo hotline").first.click()
            await page.screenshot(path=out / "console-router.png", full_page=True)
            await context.close()
    print(f"wrote the screenshots into {out}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    target = Path(sys.argv[4])
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], target))
