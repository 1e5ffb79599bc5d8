"""Routers, numbers, connections, SIP trunks and bots through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from callroute.app_context import AppContext
from callroute.models import ProviderConnection
from tests import factories
from tests.conftest import Tenant

API = "/api/v1"


async def setup(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    ann = await factories.member(client, tenant)
    policy = await factories.policy(client, tenant, [{"type": "member", "id": ann["id"]}])
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    number = await factories.post(
        client,
        tenant,
        "numbers",
        {"connection_id": connection["id"], "country": "GB", "type": "mobile"},
    )
    return {"ann": ann, "policy": policy, "connection": connection, "number": number}


def ring(policy_id: str) -> dict[str, Any]:
    return {"type": "ring", "target": {"type": "escalation_policy", "id": policy_id}}


async def test_a_router_reads_back_as_it_was_written(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    s = await setup(client, tenant)
    body = {
        "name": "Support Hotline",
        "phone_number_ids": [s["number"]["id"]],
        "greeting": {"text": "Hello", "voice": "Polly.Amy", "language": "en-GB"},
        "screening": {"blocklist": ["+1 415 555 0666"], "pin": "2468"},
        "business_hours": {
            "time_zone": "Europe/London",
            "windows": [{"days": ["monday", "friday"], "start": "09:00", "end": "17:30"}],
            "after_hours_action": {"type": "voicemail"},
        },
        "menu": {
            "prompt": {"text": "Press 1 or 2"},
            "default_digit": "1",
            "options": [
                {"digit": "1", "action": ring(s["policy"]["id"])},
                {"digit": "2", "action": {"type": "message", "message": {"text": "Bye"}}},
            ],
        },
        "ringing": {
            "mode": "hold",
            "hold_music_url": "https://example.com/music.mp3",
            "deadline_seconds": 300,
            "level_delay_seconds": 0,
            "caller_id": "router",
        },
        "voicemail": {"max_length_seconds": 60},
        "fallback": "message",
        "alert": {"urgency": "high", "auto_resolve_on_call_end": True},
    }
    created = await factories.post(client, tenant, "routers", body)
    assert created["slug"] == "support-hotline"
    assert created["phone_numbers"] == [{"id": s["number"]["id"], "number": s["number"]["number"]}]
    assert created["screening"]["blocklist"] == ["+14155550666"]
    assert created["menu"]["options"][1]["action"]["message"]["text"] == "Bye"
    fetched = (await client.get(f"{API}/routers/{created['id']}", headers=tenant.headers)).json()
    assert fetched == created
    number = (await client.get(f"{API}/numbers/{s['number']['id']}", headers=tenant.headers)).json()
    assert number["router_id"] == created["id"]

    # PATCH replaces top-level parts; choosing an action replaces the menu.
    patched = await client.patch(
        f"{API}/routers/{created['id']}",
        json={"action": {"type": "voicemail"}},
        headers=tenant.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["menu"] is None
    assert patched.json()["greeting"] == created["greeting"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"action": None}, "action"),
        (
            {
                "menu": {
                    "prompt": {"text": "x"},
                    "options": [
                        {"digit": "1", "action": {"type": "voicemail"}},
                        {"digit": "1", "action": {"type": "voicemail"}},
                    ],
                },
                "action": None,
            },
            "menu",
        ),
        (
            {
                "menu": {"options": [{"digit": "1", "action": {"type": "voicemail"}}]},
                "action": None,
            },
            "menu.prompt",
        ),
        (
            {
                "menu": {
                    "prompt": {"text": "x"},
                    "options": [{"digit": "0", "action": {"type": "voicemail"}}],
                },
                "action": None,
            },
            "menu.options[0].digit",
        ),
        (
            {"action": {"type": "bot", "bot_id": "01a20000-0000-7000-8000-000000000000"}},
            "action.bot_id",
        ),
        ({"action": {"type": "forward"}}, "action"),
        ({"action": {"type": "forward", "number": "12345"}}, "action.number"),
        ({"action": {"type": "voicemail", "number": "+14155550100"}}, "action"),
        (
            {
                "action": {
                    "type": "ring",
                    "target": {"type": "team", "id": "01a20000-0000-7000-8000-000000000000"},
                }
            },
            "action.target.id",
        ),
        ({"greeting": {"text": "x", "audio_url": "https://example.com/a.mp3"}}, "greeting"),
        ({"greeting": {"audio_url": "ftp://example.com/a.mp3"}}, "greeting.audio_url"),
        ({"ringing": {"deadline_seconds": 5}}, "ringing.deadline_seconds"),
        ({"ringing": {"level_delay_seconds": 99999}}, "ringing.level_delay_seconds"),
        ({"ringing": {"mode": "Dial"}}, "ringing.mode"),
        ({"voicemail": {"max_length_seconds": 0}}, "voicemail.max_length_seconds"),
        ({"screening": {"pin": "12"}}, "screening.pin"),
        ({"screening": {"allowlist": ["nope"]}}, "screening.allowlist[0]"),
        ({"alert": {"urgency": "apocalyptic"}}, "alert.urgency"),
        ({"fallback": "shrug"}, "fallback"),
        ({"phone_number_ids": ["01a20000-0000-7000-8000-000000000000"]}, "phone_number_ids[0]"),
    ],
)
async def test_router_validation(
    client: httpx.AsyncClient, tenant: Tenant, change: dict[str, Any], field: str
) -> None:
    s = await setup(client, tenant)
    body = {"name": "R", "action": ring(s["policy"]["id"]), **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = await client.post(f"{API}/routers", json=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


async def test_bot_action_needs_a_websocket_url(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bad = await client.post(
        f"{API}/bots",
        json={"name": "B", "websocket_url": "https://bots.example.com"},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "websocket_url"
    bot = await factories.post(
        client,
        tenant,
        "bots",
        {
            "name": "B",
            "websocket_url": "wss://bots.example.com/a",
            "parameters": {"tenant": "acme"},
        },
    )
    router = await factories.post(
        client,
        tenant,
        "routers",
        {"name": "Bot line", "action": {"type": "bot", "bot_id": bot["id"]}},
    )
    assert router["action"]["bot_id"] == bot["id"]
    in_use = await client.delete(f"{API}/bots/{bot['id']}", headers=tenant.headers)
    assert in_use.status_code == 409
    assert in_use.json()["error"]["details"][0]["type"] == "router"


async def test_a_number_belongs_to_at_most_one_router(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    s = await setup(client, tenant)
    await factories.post(
        client,
        tenant,
        "routers",
        {"name": "One", "phone_number_ids": [s["number"]["id"]], "action": ring(s["policy"]["id"])},
    )
    second = await client.post(
        f"{API}/routers",
        json={
            "name": "Two",
            "phone_number_ids": [s["number"]["id"]],
            "action": ring(s["policy"]["id"]),
        },
        headers=tenant.headers,
    )
    assert second.status_code == 409
    assert second.json()["error"]["field"] == "phone_number_ids[0]"
    assert (
        await client.delete(f"{API}/numbers/{s['number']['id']}", headers=tenant.headers)
    ).status_code == 409


async def test_simulator_numbers_are_searched_and_claimed(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    offered = (
        await client.get(
            f"{API}/numbers/available",
            params={
                "connection_id": connection["id"],
                "country": "US",
                "type": "toll_free",
                "limit": 5,
            },
            headers=tenant.headers,
        )
    ).json()
    assert len(offered) == 5
    assert all(n["number"].startswith("+1") and n["type"] == "toll_free" for n in offered)
    claimed = await factories.post(
        client,
        tenant,
        "numbers",
        {"connection_id": connection["id"], "number": offered[0]["number"], "type": "toll_free"},
    )
    assert claimed["number"] == offered[0]["number"]
    again = await client.post(
        f"{API}/numbers",
        json={"connection_id": connection["id"], "number": offered[0]["number"]},
        headers=tenant.headers,
    )
    assert again.status_code == 409
    later = (
        await client.get(
            f"{API}/numbers/available",
            params={"connection_id": connection["id"], "country": "US", "type": "toll_free"},
            headers=tenant.headers,
        )
    ).json()
    assert offered[0]["number"] not in [n["number"] for n in later]
    bad = await client.get(
        f"{API}/numbers/available",
        params={"connection_id": connection["id"], "country": "usa"},
        headers=tenant.headers,
    )
    assert bad.json()["error"]["field"] == "country"


async def test_connection_secrets_are_encrypted_and_never_returned(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    secret = "a-very-secret-webhook-signing-key"
    created = await factories.post(
        client,
        tenant,
        "connections",
        {"name": "Sim", "kind": "simulator", "webhook_secret": secret},
    )
    assert created["secrets_set"] == ["webhook_secret"]
    for response in (
        await client.get(f"{API}/connections/{created['id']}", headers=tenant.headers),
        await client.get(f"{API}/connections", headers=tenant.headers),
    ):
        assert secret not in response.text
    async with ctx.db.unit_of_work(readonly=True) as session:
        row = await session.scalar(select(ProviderConnection))
    assert row is not None
    stored = row.secrets["webhook_secret"]
    assert secret not in stored
    from callroute import crypto

    assert crypto.decrypt(ctx.secret_keys, stored) == secret
    twilio = await client.post(
        f"{API}/connections", json={"name": "T", "kind": "twilio"}, headers=tenant.headers
    )
    assert twilio.status_code == 422
    assert twilio.json()["error"]["field"] == "twilio"
    unknown = await client.post(
        f"{API}/connections", json={"name": "V", "kind": "carrier"}, headers=tenant.headers
    )
    assert unknown.json()["error"]["field"] == "kind"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("teams", {"name": "Same"}),
        ("schedules", {"name": "Same", "time_zone": "UTC"}),
        ("connections", {"name": "Same", "kind": "simulator"}),
        ("sip-trunks", {"name": "Same", "uri": "sip:desk@pbx.example.com"}),
        ("bots", {"name": "Same", "websocket_url": "wss://bots.example.com/a"}),
    ],
)
async def test_names_are_unique_per_project_and_kind(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, path: str, body: dict[str, Any]
) -> None:
    first = await factories.post(client, tenant, path, body)
    again = await client.post(f"{API}/{path}", json=body, headers=tenant.headers)
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "name"
    await factories.post(client, other_tenant, path, body)  # another project may use it
    other = await factories.post(client, tenant, path, {**body, "name": "Other"})
    renamed = await client.patch(
        f"{API}/{path}/{other['id']}", json={"name": "Same"}, headers=tenant.headers
    )
    assert renamed.status_code == 409
    kept = await client.patch(
        f"{API}/{path}/{first['id']}", json={"name": "Same"}, headers=tenant.headers
    )
    assert kept.status_code == 200  # keeping one's own name is no conflict
