"""The on-call page as a person uses it, in headless Chromium against a real `callroute serve`
with the demo seeded: read who is on call for the demo schedule, put someone else on call
from now with the override form, and read the new answer."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Chromium, Served

DEMO_OWNER = "owner@demo.example"
ROTATION = re.compile(r"^(Ann|Bob)$")  # the demo schedule's daily rotation


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_an_override_from_now_changes_who_is_on_call(
    served: Served, browser: Chromium, page: Page
) -> None:
    await page.goto(f"{served.url}/sign-in")
    await page.get_by_label("E-mail").fill(DEMO_OWNER)
    await page.get_by_label("Password").fill(served.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="On call").click()
    await expect(page.get_by_role("link", name="On call")).to_have_attribute("aria-current", "page")

    schedule = page.get_by_role("region", name="Demo on-call")
    now = schedule.locator('[data-turn="now"] dd').first
    await expect(now).to_have_text(ROTATION)
    await expect(schedule.get_by_role("table")).to_contain_text("Today and the next 13 days")
    await expect(schedule.locator("tbody")).to_have_count(14)

    # Chris is in no rotation; the form's start and end default to this minute and an hour on.
    await schedule.get_by_label("Person").select_option(label="Chris")
    await schedule.get_by_role("button", name="Add override").click()
    await expect(now).to_have_text("Chris")
    await expect(schedule.locator("tr.now")).to_contain_text("Chris")
    assert browser.blocked == []  # the page asked nothing of the internet
