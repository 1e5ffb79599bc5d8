"""The live console over HTTP on both databases: the calls in progress with their phase, the
server-sent events of the list and of a call's page, and "try it" (a simulated call placed
from the page: the API's validation beside each field, permissions, CSRF)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.config import Settings
from callroute.timers.runner import Runner
from tests import callsetup
from tests.api.test_console import CSRF, member, sign_in
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant

EVENT = re.compile(r"event: (\S+)\n((?:data: .*\n)*)\n")


@pytest.fixture
def settings(db_url: str) -> Settings:
    # A stream reads once and ends: the in-process client waits for the whole response.
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET_KEY,
        rate_limit_per_minute=0,
        auth_failures_per_minute=0,
        console_stream_seconds=0,
    )


async def run_for(ctx: AppContext, seconds: int) -> None:
    """Let ``seconds`` of the calls' time pass (the clock is frozen): what falls due is done."""
    assert isinstance(ctx.clock, FrozenClock)
    until = ctx.clock.now() + timedelta(seconds=seconds)
    await Runner(ctx, worker_id="test-runner").drain(ctx.clock, until=until)


def events(body: str) -> list[tuple[str, str]]:
    return [
        (name, "\n".join(line[6:] for line in data.splitlines()))
        for name, data in EVENT.findall(body)
    ]


async def test_the_calls_in_progress_and_their_phase(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "vic@acme.example", role="viewer")
    line = await callsetup.routed_line(client, tenant)
    ringing = await callsetup.place(client, tenant, line, default="no-answer")
    ended = await callsetup.place(client, tenant, line, default="no-answer", hangup_after=0)
    other = await make_tenant(ctx, "Globex Support")
    theirs = await callsetup.place(client, other, await callsetup.routed_line(client, other))
    await run_for(ctx, 8)  # Ann rings (for 20 s); the second caller has hung up
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with anonymous:
        assert (await anonymous.get("/live")).status_code == 303
        assert (await anonymous.get("/live/stream")).status_code == 303
    await sign_in(client, "vic@acme.example")

    page = await client.get("/live")
    assert page.status_code == 200
    assert f'href="/calls/{ringing["id"]}"' in page.text
    assert "ringing level 1: Ann" in page.text
    assert ended["id"] not in page.text
    assert theirs["id"] not in page.text
    assert 'data-stream="/live/stream"' in page.text
    assert "A viewer cannot place calls." in page.text  # no "try it" form for a viewer

    stream = await client.get("/live/stream")
    assert stream.headers["content-type"].startswith("text/event-stream")
    [(name, html)] = events(stream.text)
    assert name == "update"
    assert f'href="/calls/{ringing["id"]}"' in html
    assert "ringing level 1: Ann" in html
    assert theirs["id"] not in html


async def test_a_calls_page_follows_the_call_until_it_ends(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "dana@acme.example")
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    await run_for(ctx, 8)
    other = await make_tenant(ctx, "Globex Support")
    theirs = await callsetup.place(client, other, await callsetup.routed_line(client, other))
    await sign_in(client, "dana@acme.example")

    live = await client.get(f"/calls/{placed['id']}")
    assert f'data-stream="/calls/{placed["id"]}/stream"' in live.text
    assert "now: ringing level 1: Ann" in live.text
    [(name, html)] = events((await client.get(f"/calls/{placed['id']}/stream")).text)
    assert name == "update"
    assert "now: ringing level 1: Ann" in html
    assert "rings Ann at +14155550101" in html

    await callsetup.settle(ctx)  # nobody answers: voicemail, and the call is over
    ended = await client.get(f"/calls/{placed['id']}")
    assert "data-stream" not in ended.text
    finished = events((await client.get(f"/calls/{placed['id']}/stream")).text)
    assert [name for name, _ in finished] == ["update", "done"]
    assert "call ended: voicemail" in finished[0][1]
    assert "now:" not in finished[0][1]

    assert (await client.get(f"/calls/{theirs['id']}/stream")).status_code == 404
    assert (await client.get("/calls/not-a-call/stream")).status_code == 404


async def test_try_it_places_a_simulated_call_through_the_apis_rules(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "dana@acme.example")
    line = await callsetup.routed_line(client, tenant)
    await sign_in(client, "dana@acme.example")
    page = await client.get("/live")
    token = CSRF.search(page.text)
    assert token
    assert f'<option value="{line.number}"' in page.text  # "Hotline (+1…)"
    form = {
        "csrf_token": token.group(1),
        "to": line.number,
        "from": "+14155550148",
        "digits": "",
        "default": "answer",
        "message_seconds": "",
    }

    wrong = await client.post("/live/try", data={**form, "from": "0800 not a number"})
    assert wrong.status_code == 422
    assert 'id="try-from" name="from" value="0800 not a number"' in wrong.text  # kept as typed
    assert 'aria-invalid="true" aria-describedby="from-error"' in wrong.text
    assert re.search(r'<p class="error" id="from-error">from: [^<]+</p>', wrong.text)
    bad_key = await client.post("/live/try", data={**form, "digits": "9x"})
    assert bad_key.status_code == 422
    assert 'id="digits-error">digits.0: String should match pattern' in bad_key.text
    calls = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
    assert calls == []  # nothing placed

    forged = await client.post("/live/try", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 403
    placed = await client.post("/live/try", data=form)
    assert placed.status_code == 303
    [call] = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
    assert placed.headers["location"] == f"/calls/{call['id']}"
    assert call["from"] == "+14155550148"

    other = await make_tenant(ctx, "Globex Support")
    theirs = await callsetup.routed_line(client, other)
    foreign = await client.post("/live/try", data={**form, "to": theirs.number})
    assert foreign.status_code == 422  # another project's number is not this project's
    assert 'id="to-error"' in foreign.text
    assert len((await client.get("/api/v1/calls", headers=other.headers)).json()["data"]) == 0


async def test_a_viewer_cannot_try_a_call(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "vic@acme.example", role="viewer")
    line = await callsetup.routed_line(client, tenant)
    await sign_in(client, "vic@acme.example")
    token = CSRF.search((await client.get("/live")).text)
    assert token
    answer = await client.post(
        "/live/try",
        data={"csrf_token": token.group(1), "to": line.number, "from": "+14155550148"},
    )
    assert answer.status_code == 403
    assert (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"] == []
