"""Screenshots of the console for the docs, taken by the same headless Chromium as the
browser tests: `python scripts/console_screenshots.py URL EMAIL PASSWORD OUT_DIR`.

Against a running `callroute serve` (e.g. `make run`, with the demo's sign-in it prints).
"""

from __future__ import annotations

import asyncio
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
            await page.goto(f"{url}/calls")
            first = page.locator("tbody a").first
            if await first.count():
                await first.click()
                await page.screenshot(path=out / "console-call.png", full_page=True)
            await context.close()
    print(f"wrote the screenshots into {out}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    target = Path(sys.argv[4])
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], target))
