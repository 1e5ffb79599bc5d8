"""The console's router pages over HTTP on both databases: every setting in words with
names."""

from __future__ import annotations

from typing import Any

import httpx

from callroute.app_context import AppContext
from tests import callsetup
from tests.api.test_console import member, sign_in
from tests.conftest import Tenant

JSON = dict[str, Any]


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
    ):
        assert shown in text, shown
    for member_id in (m["id"] for m in line.members.values()):
        assert member_id not in text  # names, never ids
