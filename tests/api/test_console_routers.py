"""The console's router pages over HTTP on both databases: every setting in words with names,
the form saved through the API's own update (its GET shows the change), the API's message
beside the field it refuses, and who may see and post the form."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from callroute.app_context import AppContext
from tests import callsetup
from tests.api.test_console import CSRF, member, sign_in
from tests.conftest import Tenant, make_tenant

JSON = dict[str, Any]


class _Form(HTMLParser):
    """The fields a browser would send for the page's router form, as they are filled in."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = {k: v or "" for k, v in attrs}
        if tag == "form" and at.get("action", "").endswith("/edit"):
            self._in_form = True
        if not self._in_form or ("name" not in at and tag != "option"):
            return
        if tag == "input" and (at.get("type") != "checkbox" or "checked" in at):
            self.fields[at["name"]] = at.get("value", "")
        elif tag == "textarea":
            self._textarea = at["name"]
            self.fields[at["name"]] = ""
        elif tag == "select":
            self._select = at["name"]
        elif tag == "option" and self._select and "selected" in at:
            self.fields[self._select] = at["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data


def filled_in(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


async def api_router(client: httpx.AsyncClient, tenant: Tenant, router_id: str) -> JSON:
    answer = await client.get(f"/api/v1/routers/{router_id}", headers=tenant.headers)
    assert answer.status_code == 200, answer.text
    data: JSON = answer.json()
    return data


async def menu_line(client: httpx.AsyncClient, tenant: Tenant) -> callsetup.Line:
    """The Hotline with a menu: the policy, a member, a team, a voicemail; set by the API."""
    line = await callsetup.routed_line(client, tenant)
    team = await client.post(
        "/api/v1/teams",
        json={"name": "Night crew", "member_ids": [line.members["Chris"]["id"]]},
        headers=tenant.headers,
    )
    assert team.status_code == 201, team.text

    def ring(kind: str, ref: str, **extra: Any) -> JSON:
        return {"type": "ring", "target": {"type": kind, "id": ref}, **extra}

    menu = {
        "prompt": {"text": "Press 1 for support, 2 for Ann, 3 for nights, 4 for a message."},
        "options": [
            {
                "digit": "1",
                "action": ring("escalation_policy", line.policy["id"], label="Support"),
            },
            {
                "digit": "2",
                "action": ring("member", line.members["Ann"]["id"], ring_timeout_seconds=25),
            },
            {
                "digit": "3",
                "action": ring("team", team.json()["id"], strategy="simultaneous"),
            },
            {"digit": "4", "action": {"type": "voicemail", "label": "Message"}},
        ],
    }
    patched = await client.patch(
        f"/api/v1/routers/{line.router['id']}",
        json={"menu": menu, "ringing": {"deadline_seconds": 120}, "fallback": "message"},
        headers=tenant.headers,
    )
    assert patched.status_code == 200, patched.text
    line.router = patched.json()
    return line


async def test_a_routers_page_shows_its_settings_with_names(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await menu_line(client, tenant)
    router_id = line.router["id"]
    await member(ctx, tenant, "dana@acme.example")
    await sign_in(client, "dana@acme.example")

    overview = await client.get("/")
    assert f'<a href="/routers/{router_id}">Hotline</a>' in overview.text
    listing = await client.get("/routers")
    assert listing.status_code == 200
    assert f'href="/routers/{router_id}"' in listing.text
    assert "A menu: 1 Support, 2 “Ann”, 3 “Night crew”, 4 Message." in listing.text
    assert 'href="/routers" aria-current="page"' in listing.text

    page = await client.get(f"/routers/{router_id}")
    assert page.status_code == 200
    text = page.text
    for shown in (
        "enabled: it answers calls to its numbers",
        line.number,
        "“Welcome.” (en-US)",
        "“Press 1 for support, 2 for Ann, 3 for nights, 4 for a message.”",
        "Press 1 · Support",
        "rings the escalation policy “Hotline policy”, level by level as the policy says",
        "rings “Ann” for 25 s",
        "rings the team “Night crew”: all at once, 30 s each",
        "Press 4 · Message",
        "takes a voicemail",
        "120 s, then the fallback",
        "say the no-answer message, then hang up",
        "the built-in message, “Nobody could take your call. Goodbye.”",
        f'href="/routers/{router_id}/edit"',
    ):
        assert shown in text, shown
    for member_id in (m["id"] for m in line.members.values()):
        assert member_id not in text  # names, never ids


async def test_editing_the_greeting_saves_it_through_the_api(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await menu_line(client, tenant)
    router_id = line.router["id"]
    before = await api_router(client, tenant, router_id)
    await member(ctx, tenant, "dana@acme.example")
    await sign_in(client, "dana@acme.example")

    form = await client.get(f"/routers/{router_id}/edit")
    assert form.status_code == 200
    fields = filled_in(form.text)
    assert fields["greeting"] == "Welcome."
    assert fields["menu.options[1].action.ring_timeout_seconds"] == "25"
    assert fields["menu.options[2].action.strategy"] == "simultaneous"
    fields["greeting"] = "Thanks for calling Acme."
    saved = await client.post(f"/routers/{router_id}/edit", data=fields)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/routers/{router_id}"

    after = await api_router(client, tenant, router_id)
    assert after["greeting"] == {**before["greeting"], "text": "Thanks for calling Acme."}
    unchanged = {"greeting", "updated_at"}
    assert {k: v for k, v in after.items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged
    }  # the form sent back everything else as it was
    page = await client.get(f"/routers/{router_id}")
    assert "“Thanks for calling Acme.”" in page.text


INVALID = [
    pytest.param("action.ring_timeout_seconds", "3", "action.ring_timeout_seconds", id="timeout"),
    pytest.param(
        "action.target",
        "escalation_policy:0190a000-0000-7000-8000-000000000000",
        "action.target.id",
        id="unknown-target",
    ),
]


@pytest.mark.parametrize(("name", "typed", "api_field"), INVALID)
async def test_an_invalid_field_is_refused_beside_it_and_changes_nothing(
    client: httpx.AsyncClient,
    tenant: Tenant,
    ctx: AppContext,
    name: str,
    typed: str,
    api_field: str,
) -> None:
    line = await callsetup.routed_line(client, tenant)
    router_id = line.router["id"]
    before = await api_router(client, tenant, router_id)
    await member(ctx, tenant, "dana@acme.example")
    await sign_in(client, "dana@acme.example")
    fields = filled_in((await client.get(f"/routers/{router_id}/edit")).text)
    fields |= {"greeting": "Not saved either", name: typed}

    refused = await client.post(f"/routers/{router_id}/edit", data=fields)
    assert refused.status_code == 422, refused.text

    # The API says the same of the same value, naming the same field.
    action = dict(before["action"])
    if name.endswith(".target"):
        kind, _, ref = typed.partition(":")
        action["target"] = {"type": kind, "id": ref}
    else:
        action["ring_timeout_seconds"] = int(typed)
    api = await client.patch(
        f"/api/v1/routers/{router_id}", json={"action": action}, headers=tenant.headers
    )
    assert api.status_code == 422
    error = api.json()["error"]
    assert error["field"] == api_field
    said = error["message"].removeprefix(f"{api_field}: ")

    input_id = "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    field = re.search(rf'<(?:input|select)[^>]*id="{input_id}"[^>]*>', refused.text)
    assert field, refused.text
    assert 'aria-invalid="true"' in field.group(0)
    assert f'aria-describedby="{input_id}-error"' in field.group(0)
    beside = re.search(
        rf'<p class="error field-error" id="{input_id}-error">([^<]*)</p>', refused.text
    )
    assert beside, refused.text
    assert html.unescape(beside.group(1)) == said  # the API's own words, beside the field
    assert 'role="alert"' in refused.text  # the summary above the form
    kept = filled_in(refused.text)
    assert (kept["greeting"], kept[name]) == ("Not saved either", typed)  # as typed
    assert await api_router(client, tenant, router_id) == before


@pytest.mark.parametrize("role", ["viewer", "member"])
async def test_only_those_who_may_write_routers_see_and_post_the_form(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, role: str
) -> None:
    line = await callsetup.routed_line(client, tenant)
    router_id = line.router["id"]
    before = await api_router(client, tenant, router_id)
    await member(ctx, tenant, "vic@acme.example", role=role)
    await sign_in(client, "vic@acme.example")
    page = await client.get(f"/routers/{router_id}")
    assert page.status_code == 200
    assert "“Welcome.”" in page.text
    assert "/edit" not in page.text
    token = CSRF.search(page.text)
    assert token

    form = await client.get(f"/routers/{router_id}/edit")
    assert form.status_code == 403
    assert f"A {role} cannot change routers." in form.text
    posted = await client.post(
        f"/routers/{router_id}/edit", data={"csrf_token": token.group(1), "greeting": "Hijacked"}
    )
    assert posted.status_code == 403
    assert await api_router(client, tenant, router_id) == before


async def test_the_form_needs_its_token(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    router_id = line.router["id"]
    before = await api_router(client, tenant, router_id)
    await member(ctx, tenant, "dana@acme.example")
    await sign_in(client, "dana@acme.example")
    fields = filled_in((await client.get(f"/routers/{router_id}/edit")).text)
    fields["greeting"] = "Forged"
    for token in ({}, {"csrf_token": "forged"}):
        sent = {k: v for k, v in fields.items() if k != "csrf_token"} | token
        answer = await client.post(f"/routers/{router_id}/edit", data=sent)
        assert answer.status_code == 403
        assert "The form's token is missing or wrong" in html.unescape(answer.text)
    assert await api_router(client, tenant, router_id) == before


async def test_another_projects_router_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    other = await make_tenant(ctx, "Globex Support")
    theirs = (await callsetup.routed_line(client, other)).router["id"]
    before = await api_router(client, other, theirs)
    await member(ctx, tenant, "dana@acme.example")
    await sign_in(client, "dana@acme.example")
    token = CSRF.search((await client.get("/routers")).text)
    assert token
    assert theirs not in (await client.get("/routers")).text
    assert (await client.get(f"/routers/{theirs}")).status_code == 404
    assert (await client.get(f"/routers/{theirs}/edit")).status_code == 404
    posted = await client.post(
        f"/routers/{theirs}/edit", data={"csrf_token": token.group(1), "greeting": "Hijacked"}
    )
    assert posted.status_code == 404
    assert (await client.get("/routers/not-an-id")).status_code == 404
    assert await api_router(client, other, theirs) == before


async def test_every_router_page_needs_a_signed_in_member(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    router_id = (await callsetup.routed_line(client, tenant)).router["id"]
    for method, path in (
        ("GET", "/routers"),
        ("GET", f"/routers/{router_id}"),
        ("GET", f"/routers/{router_id}/edit"),
        ("POST", f"/routers/{router_id}/edit"),
    ):
        answer = await client.request(method, path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/sign-in"
