"""Changing a router in the console, in headless Chromium against a real `callroute serve`
with the demo seeded: a refused field says why beside itself, and once it is fixed the change
shows on the router's page."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Chromium, Served
from tests.browser.test_console import DEMO_OWNER

NEW_GREETING = "Thanks for calling: this is the new greeting."


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_the_owner_edits_the_demo_router_past_a_refused_field(
    served: Served, browser: Chromium, page: Page
) -> None:
    await page.goto(f"{served.url}/sign-in")
    await page.get_by_label("E-mail").fill(DEMO_OWNER)
    await page.get_by_label("Password").fill(served.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Routers").click()
    await page.get_by_role("link", name="Demo hotline").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Demo hotline")
    await page.get_by_role("link", name="Edit").click()

    await page.get_by_label("Greeting").fill(NEW_GREETING)
    timeout = page.get_by_role("group", name="Option 1").get_by_label(re.compile("Ring timeout"))
    await timeout.fill("2")  # the API allows 5 to 600 s
    await page.get_by_role("button", name="Save").click()

    await expect(page.get_by_role("alert")).to_contain_text("Not saved")
    await expect(timeout).to_have_attribute("aria-invalid", "true")
    described = await timeout.get_attribute("aria-describedby")
    assert described
    await expect(page.locator(f"#{described}")).to_have_text(
        "Input should be greater than or equal to 5"
    )
    await expect(page.get_by_label("Greeting")).to_have_value(NEW_GREETING)  # kept as typed

    await timeout.fill("20")
    await page.get_by_role("button", name="Save").click()
    await expect(page).to_have_url(re.compile(r"/routers/[0-9a-f-]+$"))
    await expect(page.get_by_text(f"“{NEW_GREETING}”")).to_be_visible()
    assert browser.blocked == []
