"""The live console in headless Chromium against a real `callroute serve` (real time, the
demo seeded): a call moves through the live-calls page without the page being reloaded; a
call placed with "try it" is narrated on its page as it happens, and its voicemail plays."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Chromium, Served

DEMO_OWNER = "owner@demo.example"
CALLER = "+14155550177"


async def sign_in(page: Page, served: Served, then: str) -> None:
    await page.goto(f"{served.url}/sign-in")
    await page.get_by_label("E-mail").fill(DEMO_OWNER)
    await page.get_by_label("Password").fill(served.password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{served.url}/")
    await page.goto(f"{served.url}{then}")


async def mark(page: Page) -> None:
    """A mark in the page's window: gone if the page is ever loaded again."""
    await page.evaluate("window.notReloaded = true")


async def still_marked(page: Page) -> bool:
    return bool(await page.evaluate("window.notReloaded === true"))


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_a_call_moves_through_the_live_page_without_a_reload(
    served: Served, browser: Chromium, page: Page
) -> None:
    await sign_in(page, served, "/live")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Live calls")
    await expect(page.locator("#live-calls")).to_contain_text("No call in progress.")
    await mark(page)

    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as api:
        number = (await api.get("/api/v1/numbers")).json()["data"][0]["number"]
        placed = await api.post(
            "/api/v1/simulator/calls",
            json={
                "to": number,
                "from": CALLER,
                "digits": ["1"],
                "default": "no-answer",
                "hangup_after": 9,
            },
        )
        assert placed.status_code == 201, placed.text
    call = page.locator("#live-calls li", has_text=CALLER)
    await expect(call).to_be_visible()  # it arrived while the page was open
    await expect(call.locator(".phase")).to_have_text(re.compile(r"^ringing level 1: \w+"))
    await expect(call.locator(".elapsed")).to_have_text(re.compile(r"^0:0[1-9]$"))
    await expect(page.locator("#live-calls")).to_contain_text("No call in progress.")  # hung up
    assert await still_marked(page)
    assert browser.blocked == []


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_try_a_call_watch_it_and_play_its_voicemail(
    served: Served, browser: Chromium, page: Page
) -> None:
    await sign_in(page, served, "/live")
    await page.get_by_label("From (the caller's number)").fill("not a number")
    await page.get_by_role("button", name="Place the call").click()
    caller = page.get_by_label("From (the caller's number)")
    await expect(caller).to_have_attribute("aria-invalid", "true")
    described = await caller.get_attribute("aria-describedby")
    await expect(page.locator(f"#{described}")).to_contain_text("from:")

    await caller.fill(CALLER)
    await page.get_by_label("Keys the caller presses").fill("2")  # the demo's "leave a message"
    await page.get_by_label("Voicemail the caller leaves (seconds)").fill("5")
    await page.get_by_role("button", name="Place the call").click()
    await expect(page).to_have_url(re.compile(r"/calls/[0-9a-f-]{36}$"))
    await mark(page)
    status = page.locator("#call-body [role=status]")
    # Drawn while the call runs (the greeting, the menu, or the voicemail already: how far it
    # got depends on how busy the machine is), then followed to its end without a reload.
    await expect(status).to_contain_text(
        re.compile(r"now: (greeting|in the menu|recording voicemail)")
    )
    await expect(status.locator(".badge")).to_have_text("voicemail")  # the call ended
    await expect(page.get_by_text("This call has ended.")).to_be_visible()
    await expect(page.locator(".timeline")).to_contain_text("voicemail recorded (5 s)")
    assert await still_marked(page)

    audio = page.locator("audio")
    await expect(audio).to_have_count(1)
    await page.wait_for_function(
        "document.querySelector('audio').readyState >= 1"  # its metadata loaded: it plays
    )
    duration = await audio.evaluate("element => element.duration")
    assert duration == pytest.approx(5, abs=0.1)
    source = await audio.get_attribute("src")
    assert source is not None
    answer = await page.request.get(f"{served.url}{source}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "audio/wav"
    assert browser.blocked == []
