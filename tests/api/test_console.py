"""The console's sign-in, sessions and overview, over HTTP on both databases: who may see
what, CSRF on every form, the cookie's flags, and the overview's figures."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
import pytest

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.console.service import set_password
from callroute.members.schemas import MemberCreate
from callroute.members.service import MemberService
from callroute.models import Member
from tests import callsetup
from tests.conftest import Tenant, make_tenant

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def member(ctx: AppContext, tenant: Tenant, email: str, role: str = "admin") -> Member:
    async with ctx.db.unit_of_work() as session:
        created = await MemberService(session, tenant.project_id, ctx.clock).create(
            MemberCreate.model_validate(
                {"name": email.split("@")[0].title(), "email": email, "role": role}
            )
        )
        await set_password(session, created, PASSWORD)
    return created


async def form_token(client: httpx.AsyncClient, path: str = "/sign-in") -> str:
    page = await client.get(path)
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    token = await form_token(client)
    return await client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": password, **extra}
    )


async def test_every_page_needs_a_signed_in_member(client: httpx.AsyncClient) -> None:
    answer = await client.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in"
    page = await client.get("/sign-in")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert page.headers["x-frame-options"] == "DENY"


async def test_a_member_signs_in_sees_their_project_and_signs_out(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "dana@acme.example")
    line = await callsetup.routed_line(client, tenant)
    answer = await sign_in(client, "Dana@Acme.example")  # e-mail case does not matter
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"]
    assert "callroute_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the public URL is http here

    page = await client.get("/")
    assert page.status_code == 200
    assert "Acme Ops" in page.text
    assert "Hotline" in page.text
    assert line.number in page.text
    assert "Ann, Bob" in page.text  # level 1 as it would be rung now
    assert "Nobody is on call" not in page.text

    token = CSRF.search(page.text)
    assert token
    refused = await client.post("/sign-out", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert (await client.get("/")).status_code == 200  # still signed in
    out = await client.post("/sign-out", data={"csrf_token": token.group(1)})
    assert out.status_code == 303
    assert (await client.get("/")).status_code == 303


async def test_a_wrong_password_and_an_unknown_email_read_the_same(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "dana@acme.example")
    wrong_password = await sign_in(client, "dana@acme.example", "not the password at all")
    unknown_email = await sign_in(client, "nobody@acme.example")
    assert wrong_password.status_code == unknown_email.status_code == 401
    message = "The e-mail address or the password is not right."
    assert message in wrong_password.text
    assert message in unknown_email.text
    assert "set-cookie" not in {
        k.lower() for k in wrong_password.headers if "session" in wrong_password.headers[k]
    }


async def test_a_sign_in_without_the_forms_token_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "dana@acme.example")
    answer = await client.post(
        "/sign-in",
        data={"csrf_token": "made-up", "email": "dana@acme.example", "password": PASSWORD},
    )
    assert answer.status_code == 403
    assert "callroute_session" not in answer.headers.get("set-cookie", "")


async def test_failed_sign_ins_are_throttled_per_address(ctx: AppContext, tenant: Tenant) -> None:
    ctx.settings.auth_failures_per_minute = 3
    await member(ctx, tenant, "dana@acme.example")
    app = create_app(ctx=ctx)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://callroute.test"
    ) as client:
        for _ in range(3):
            assert (
                await sign_in(client, "dana@acme.example", "wrong password!!")
            ).status_code == 401
        blocked = await sign_in(client, "dana@acme.example")  # even the right password waits
        assert blocked.status_code == 429
        assert "Too many failed sign-ins" in blocked.text


async def test_the_cookie_is_secure_behind_https(ctx: AppContext, tenant: Tenant) -> None:
    ctx.settings.public_url = "https://calls.acme.example"
    await member(ctx, tenant, "dana@acme.example")
    app = create_app(ctx=ctx)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://callroute.test"
    ) as client:
        answer = await sign_in(client, "dana@acme.example")
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


async def test_a_session_shows_its_own_project_only_and_expires(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    other = await make_tenant(ctx, "Globex Support")
    await callsetup.routed_line(client, other)  # Globex's "Hotline" and number
    await member(ctx, tenant, "dana@acme.example")
    assert (await sign_in(client, "dana@acme.example")).status_code == 303
    page = await client.get("/")
    assert "Acme Ops" in page.text
    assert "Globex" not in page.text
    assert "No router yet." in page.text

    assert isinstance(ctx.clock, FrozenClock)
    ctx.clock.advance(timedelta(hours=12, seconds=1))
    assert (await client.get("/")).status_code == 303


async def test_one_email_in_two_projects_chooses_the_project(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    other = await make_tenant(ctx, "Globex Support")
    await member(ctx, tenant, "dana@example.com")
    await member(ctx, other, "dana@example.com")
    first = await sign_in(client, "dana@example.com")
    assert first.status_code == 200
    assert 'name="project"' in first.text
    chosen = await sign_in(client, "dana@example.com", project=other.slug)
    assert chosen.status_code == 303
    assert "Globex Support" in (await client.get("/")).text


async def test_a_router_with_nobody_on_call_is_shown_in_red(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "dana@acme.example")
    schedule = await client.post(
        "/api/v1/schedules",
        json={"name": "Empty", "time_zone": "UTC", "layers": []},
        headers=tenant.headers,
    )
    assert schedule.status_code == 201, schedule.text
    await callsetup.routed_line(
        client,
        tenant,
        levels=[
            {
                "ring_timeout_seconds": 20,
                "targets": [{"type": "schedule", "id": schedule.json()["id"]}],
            }
        ],
    )
    await sign_in(client, "dana@acme.example")
    page = await client.get("/")
    assert "Nobody is on call — callers will hear the no-one-available message." in page.text


@pytest.mark.parametrize("password", ["short", ""])
async def test_a_password_is_long_enough(ctx: AppContext, tenant: Tenant, password: str) -> None:
    async with ctx.db.unit_of_work() as session:
        created = await MemberService(session, tenant.project_id, ctx.clock).create(
            MemberCreate.model_validate({"name": "Eve", "email": "eve@acme.example"})
        )
        with pytest.raises(ValueError, match="at least 12 characters"):
            await set_password(session, created, password)


ACTION_FORM = re.compile(r'action="/alerts/([^/"]+)/(acknowledge|resolve)"')


async def an_alert(client: httpx.AsyncClient, tenant: Tenant) -> str:
    """A call that nobody has answered yet: its alert is triggered."""
    line = await callsetup.routed_line(client, tenant)
    await callsetup.place(client, tenant, line, default="no-answer")
    alerts = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()["data"]
    assert [a["status"] for a in alerts] == ["triggered"]
    alert_id: str = alerts[0]["id"]
    return alert_id


async def test_a_member_acknowledges_then_resolves_an_alert(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    dana = await member(ctx, tenant, "dana@acme.example", role="member")
    alert_id = await an_alert(client, tenant)
    await sign_in(client, "dana@acme.example")
    page = await client.get("/alerts")
    assert page.status_code == 200
    assert "Call from +442071838750 to Hotline policy" in page.text
    assert set(ACTION_FORM.findall(page.text)) == {(alert_id, "acknowledge"), (alert_id, "resolve")}
    token = CSRF.search(page.text)
    assert token

    done = await client.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token.group(1), "back": "triggered"}
    )
    assert done.status_code == 303
    api = (await client.get(f"/api/v1/alerts/{alert_id}", headers=tenant.headers)).json()
    assert api["status"] == "acknowledged"
    assert api["acknowledged_by"] == str(dana.id)  # the member who pressed the button
    assert "No triggered alert." in (await client.get("/alerts")).text

    resolved = await client.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": token.group(1)})
    assert resolved.status_code == 303
    api = (await client.get(f"/api/v1/alerts/{alert_id}", headers=tenant.headers)).json()
    assert (api["status"], api["resolved_reason"]) == ("resolved", "resolved by Dana")
    again = await client.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token.group(1)}
    )
    assert again.status_code == 409
    assert "already resolved" in again.text


async def test_a_viewer_sees_alerts_but_cannot_act_on_them(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "vic@acme.example", role="viewer")
    alert_id = await an_alert(client, tenant)
    await sign_in(client, "vic@acme.example")
    page = await client.get("/alerts")
    assert "Hotline policy" in page.text
    assert ACTION_FORM.findall(page.text) == []  # no button to press
    token = CSRF.search(page.text)
    assert token
    refused = await client.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token.group(1)}
    )
    assert refused.status_code == 403
    assert "A viewer cannot acknowledge alerts." in refused.text
    api = (await client.get(f"/api/v1/alerts/{alert_id}", headers=tenant.headers)).json()
    assert api["status"] == "triggered"


async def test_an_alert_form_needs_its_token_and_the_members_project(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    other = await make_tenant(ctx, "Globex Support")
    theirs = await an_alert(client, other)
    await member(ctx, tenant, "dana@acme.example", role="member")
    await sign_in(client, "dana@acme.example")
    page = await client.get("/alerts")
    token = CSRF.search(page.text)
    assert token
    forged = await client.post(f"/alerts/{theirs}/acknowledge", data={"csrf_token": "x"})
    assert forged.status_code == 403
    foreign = await client.post(
        f"/alerts/{theirs}/acknowledge", data={"csrf_token": token.group(1)}
    )
    assert foreign.status_code == 404  # another project's alert does not exist here
    api = (await client.get(f"/api/v1/alerts/{theirs}", headers=other.headers)).json()
    assert api["status"] == "triggered"
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with anonymous:
        assert (await anonymous.get("/alerts")).status_code == 303
        assert (await anonymous.post(f"/alerts/{theirs}/resolve")).status_code == 303


async def test_the_call_log_and_a_calls_page_in_words(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "vic@acme.example", role="viewer")
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer", message_seconds=9)
    other = await make_tenant(ctx, "Globex Support")
    theirs = await callsetup.place(
        client,
        other,
        await callsetup.routed_line(client, other),
        default="no-answer",
        message_seconds=4,
    )
    await callsetup.settle(ctx)
    await sign_in(client, "vic@acme.example")

    log = await client.get("/calls")
    assert log.status_code == 200
    assert f'href="/calls/{placed["id"]}"' in log.text
    assert theirs["id"] not in log.text
    assert "voicemail" in log.text
    assert "No call missed yet." in (await client.get("/calls?status=missed")).text

    page = await client.get(f"/calls/{placed['id']}")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Call from +442071838750",
        "says: “Welcome.”",
        "rings Ann at +14155550101 for 20 s",  # names, not leg ids
        "level started: level 2, round 1, strategy=sequential",  # counted from 1, as people do
        "voicemail recorded (9 s)",
        "call ended: voicemail",
    ):
        assert expected in text, expected
    assert "r0-l0" not in text
    assert "<td>Chris</td>" in text
    assert (await client.get(f"/calls/{theirs['id']}")).status_code == 404

    # The voicemail plays in the page: callroute serves its sound, to a signed-in member only.
    [recording] = (await callsetup.call(client, tenant, placed["id"]))["recordings"]
    source = f"/calls/{placed['id']}/recordings/{recording['id']}/audio"
    assert f'<audio controls preload="metadata" src="{source}"' in text
    audio = await client.get(source)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.content.startswith(b"RIFF")
    assert "no-store" in audio.headers["cache-control"]
    [their_recording] = (await callsetup.call(client, other, theirs["id"]))["recordings"]
    foreign = f"/calls/{theirs['id']}/recordings/{their_recording['id']}/audio"
    assert (await client.get(foreign)).status_code == 404
    mixed = f"/calls/{placed['id']}/recordings/{their_recording['id']}/audio"
    assert (await client.get(mixed)).status_code == 404  # a recording of another call
    anonymous = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with anonymous:
        assert (await anonymous.get(source)).status_code == 303


async def test_the_call_log_filters_as_the_api_filters(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    await member(ctx, tenant, "vic@acme.example", role="viewer")
    line = await callsetup.routed_line(client, tenant)
    early = await callsetup.place(client, tenant, line, default="no-answer", hangup_after=0)
    assert isinstance(ctx.clock, FrozenClock)
    ctx.clock.advance(timedelta(hours=2))
    late = await callsetup.place(
        client, tenant, line, **{"from": "+14155550148"}, default="no-answer", hangup_after=0
    )
    await callsetup.settle(ctx)
    await sign_in(client, "vic@acme.example")

    def shown(page: httpx.Response) -> set[str]:
        return {call["id"] for call in (early, late) if f'href="/calls/{call["id"]}"' in page.text}

    assert shown(await client.get("/calls")) == {early["id"], late["id"]}
    by_router = await client.get("/calls", params={"router": line.router["id"]})
    assert shown(by_router) == {early["id"], late["id"]}
    assert f'<option value="{line.router["id"]}" selected>Hotline</option>' in by_router.text
    by_number = await client.get("/calls", params={"number": "+1 (415) 555-0148"})
    assert shown(by_number) == {late["id"]}  # the caller's number, written as people write it
    since = (datetime.fromisoformat(late["started_at"]) - timedelta(minutes=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    assert shown(await client.get("/calls", params={"from": since})) == {late["id"]}
    assert shown(await client.get("/calls", params={"until": since})) == {early["id"]}

    wrong = await client.get("/calls", params={"number": "not a phone", "status": "missed"})
    assert wrong.status_code == 422
    assert 'id="number" name="number" value="not a phone"' in wrong.text
    assert 'aria-invalid="true" aria-describedby="number-error"' in wrong.text
    assert '<p class="error" id="number-error">number: ' in wrong.text
    assert shown(wrong) == set()
