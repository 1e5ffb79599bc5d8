"""`/docs` as a person uses it, offline: Swagger UI renders from the server's own files, and
"Authorize" with an API key then "Try it out" answers a real request. The OpenAPI document's
security schemes and the assets themselves are checked over plain HTTP (in process, no
browser)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Chromium, Served

ROUTERS = "/api/v1/routers"


def operation(page: Page, method: str, path: str) -> Locator:
    """An operation's block in Swagger UI's list."""
    return page.locator(
        f".opblock.opblock-{method}", has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_the_browser_refuses_and_records_requests_to_other_hosts(
    browser: Chromium, page: Page
) -> None:
    # What makes `browser.blocked == []` mean something. A reserved name: it never resolves.
    await page.set_content('<img src="http://callroute.invalid/pixel.png">')
    assert browser.blocked == ["http://callroute.invalid/pixel.png"]


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_docs_render_offline_and_try_it_out_with_the_demo_key(
    served: Served, browser: Chromium, page: Page
) -> None:
    # One page load for the whole walk: Swagger UI laying out 147 operations is most of the
    # test's time, and CPU that the tests running beside it need.
    await page.goto(f"{served.url}/docs")
    await expect(page.locator(".information-container .title")).to_contain_text("callroute")
    await expect(operation(page, "get", ROUTERS)).to_be_visible()
    assert browser.blocked == []  # everything the page needed came from the server

    await page.locator("button.authorize").click()
    bearer = page.locator(".auth-container").filter(has_text="BearerKey")
    await bearer.locator("input").fill(served.key)
    await bearer.locator("button.authorize").click()  # its accessible name: "Apply credentials"
    await expect(bearer).to_contain_text("Authorized")
    await bearer.locator("button.btn-done").click()
    await expect(page.locator(".modal-ux")).to_be_hidden()

    listing = operation(page, "get", ROUTERS)
    await listing.locator(".opblock-summary").click()
    await listing.get_by_role("button", name="Try it out").click()
    await listing.get_by_role("button", name="Execute").click()

    # The request shown is the one sent, with the key as a bearer token; the demo's router
    # in the body shows the key was accepted (without it: a 401).
    await expect(listing.locator(".curl-command")).to_contain_text(
        f"Authorization: Bearer {served.key}"
    )
    answered = listing.locator(".live-responses-table tbody tr.response")
    await expect(answered.locator(".response-col_status")).to_have_text("200")
    await expect(answered.locator(".response-col_description")).to_contain_text(
        re.compile(r'"name":\s*"Demo hotline"')
    )
    assert browser.blocked == []


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
async def test_the_document_declares_the_key_schemes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert (schemes["BearerKey"]["type"], schemes["BearerKey"]["scheme"]) == ("http", "bearer")
    header = schemes["ApiKeyHeader"]
    assert (header["type"], header["in"], header["name"]) == ("apiKey", "header", "ApiKey")
    paths = document["paths"]
    either: list[dict[str, list[str]]] = [{"BearerKey": []}, {"ApiKeyHeader": []}]
    assert paths[ROUTERS]["get"]["security"] == either
    assert paths["/v1/live_call_routers"]["get"]["security"] == either  # Rootly's API
    calendar = paths["/api/v1/schedules/{schedule_id}/shifts.ics"]["get"]["security"]
    assert calendar == [*either, {"KeyQuery": []}]
    assert "security" not in document  # no default: each operation says what it takes
    unauthenticated = {
        f"{method.upper()} {path}"
        for path, item in paths.items()
        for method, described in item.items()
        if "security" not in described
    }
    # The configuration document's JSON Schema describes a format and holds no data.
    public = {"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/config/schema"}
    assert unauthenticated == public


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
async def test_the_docs_page_loads_only_the_server_s_own_files(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert linked, page.text
    assert all(link.startswith("/docs/assets/") for link in linked), linked
    for asset, kind in (
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("favicon.png", "image/png"),
    ):
        answer = await client.get(f"/docs/assets/{asset}")
        assert answer.status_code == 200, asset
        assert kind in answer.headers["content-type"], answer.headers["content-type"]
        assert f"/docs/assets/{asset}" in linked
    assert (await client.get("/docs/assets/missing.js")).status_code == 404
