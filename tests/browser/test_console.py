"""The console as a person uses it, in headless Chromium against a real `callroute serve`
with the demo seeded: sign in (a wrong password first), see who each level would ring now,
sign out, and find the pages closed again."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Chromium, Served

DEMO_OWNER = "owner@demo.example"
PEOPLE = re.compile(r"\b(Ann|Bob|Chris)\b")


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_sign_in_see_who_would_be_rung_and_sign_out(
    served: Served, browser: Chromium, page: Page
) -> None:
    await page.goto(f"{served.url}/")
    await expect(page).to_have_url(f"{served.url}/sign-in")  # no session: the sign-in form

    await page.get_by_label("E-mail").fill(DEMO_OWNER)
    await page.get_by_label("Password").fill("not the demo password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "The e-mail address or the password is not right."
    )

    await page.get_by_label("Password").fill(served.password)
    await page.get_by_label("Password").press("Enter")  # the keyboard is enough
    await expect(page).to_have_url(f"{served.url}/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Demo")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    hotline = page.locator("article.router", has_text="Demo hotline")
    await expect(hotline.locator(".badge")).to_have_text("enabled")
    await expect(hotline.locator(".numbers")).to_have_text(re.compile(r"^\+1\d{10}$"))
    first = hotline.get_by_role("row", name=re.compile("Menu 1 · Level 1"))
    await expect(first).to_contain_text(PEOPLE)  # someone is on call for option 1, level 1
    await expect(hotline.get_by_text("Nobody is on call")).to_have_count(0)
    figures = page.get_by_role("region", name="Calls in the last 24 hours")
    await expect(figures).to_contain_text("completed")
    assert browser.blocked == []  # the page asked nothing of the internet

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{served.url}/sign-in")
    await page.goto(f"{served.url}/")
    await expect(page).to_have_url(f"{served.url}/sign-in")  # the session is gone


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_the_owner_acknowledges_a_callers_alert(
    served: Served, browser: Chromium, page: Page
) -> None:
    # A caller picks option 1 and is still waiting: the call's alert is triggered.
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as api:
        number = (await api.get("/api/v1/numbers")).json()["data"][0]["number"]
        placed = await api.post(
            "/api/v1/simulator/calls",
            json={"to": number, "from": "+14155550199", "digits": ["1"], "default": "no-answer"},
        )
        assert placed.status_code == 201, placed.text
        # The greeting and the menu play first (real time): ringing raises the alert.
        for _ in range(300):
            if (await api.get("/api/v1/alerts")).json()["data"]:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the call raised no alert")
    await page.goto(f"{served.url}/sign-in")
    await page.get_by_label("E-mail").fill(DEMO_OWNER)
    await page.get_by_label("Password").fill(served.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Alerts").click()
    alert = page.locator("article.alert", has_text="+14155550199")
    await expect(alert.locator(".badge")).to_have_text("triggered")
    await alert.get_by_role("button", name="Acknowledge").click()
    await expect(page.get_by_text("No triggered alert.")).to_be_visible()
    await page.get_by_role("link", name="acknowledged").click()
    await expect(alert.locator(".badge")).to_have_text("acknowledged")
    assert browser.blocked == []
