"""Voicemail left for a target, and menus that skip themselves while they offer one option."""

from __future__ import annotations

from typing import Any

import httpx

from callroute.app_context import AppContext
from tests import callsetup, factories
from tests.conftest import Tenant

API = "/api/v1"


def ring(policy_id: str) -> dict[str, Any]:
    return {"type": "ring", "target": {"type": "escalation_policy", "id": policy_id}}


async def gathers(client: httpx.AsyncClient, tenant: Tenant, call_id: str) -> int:
    entries = await callsetup.timeline(client, tenant, call_id)
    return sum(1 for e in entries if e["kind"] == "command" and e["detail"]["type"] == "gather")


async def test_a_voicemail_left_for_a_team_raises_the_alert_for_that_team(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ann = await factories.member(client, tenant)
    team = await factories.post(client, tenant, "teams", {"name": "Database", "member_ids": []})
    action = {"type": "voicemail", "target": {"type": "team", "id": team["id"]}}
    line = await callsetup.routed_line(client, tenant, router={"action": action})
    assert line.router["action"]["target"] == {"type": "team", "id": team["id"]}

    placed = await callsetup.place(client, tenant, line, message_seconds=7)
    await callsetup.settle(ctx)
    record = await callsetup.call(client, tenant, placed["id"])
    assert record["status"] == "voicemail"
    assert record["legs"] == []  # nobody is rung for a voicemail
    alert = (await client.get(f"{API}/alerts", headers=tenant.headers)).json()["data"][0]
    assert (alert["target_type"], alert["target_id"]) == ("team", team["id"])
    assert alert["summary"] == "Call from +442071838750 to Database"
    assert ann["id"] not in str(alert)


async def test_only_voicemail_and_ring_actions_take_a_target(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    team = await factories.post(client, tenant, "teams", {"name": "Database", "member_ids": []})
    target = {"type": "team", "id": team["id"]}
    forward = {"type": "forward", "number": "+14155550100", "target": target}
    response = await client.post(
        f"{API}/routers", json={"name": "R", "action": forward}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert "`target` does not apply to a forward action" in response.text
    foreign = await client.post(
        f"{API}/routers",
        json={"name": "R", "action": {"type": "voicemail", "target": target}},
        headers=other_tenant.headers,
    )
    assert foreign.status_code == 422
    assert foreign.json()["error"]["field"] == "action.target.id"


async def test_a_menu_with_one_option_can_skip_itself(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    policy_id = line.policy["id"]
    options: list[dict[str, Any]] = [{"digit": "1", "action": ring(policy_id)}]
    menu = {
        "prompt": {"text": "Press 1 for support."},
        "options": options,
        "skip_single_option": True,
    }
    patched = await client.patch(
        f"{API}/routers/{line.router['id']}", json={"menu": menu}, headers=tenant.headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["menu"]["skip_single_option"] is True
    assert patched.json()["menu"]["prompt"] == {
        "text": "Press 1 for support.",
        "audio_url": None,
        "voice": None,
        "language": "en-US",
    }

    straight = await callsetup.place(client, tenant, line, phones={"Ann": "answer"})
    assert straight["status"] == "ringing_responders"  # no menu was offered
    await callsetup.settle(ctx)
    assert (await callsetup.call(client, tenant, straight["id"]))["status"] == "completed"
    assert await gathers(client, tenant, straight["id"]) == 0

    # A second option makes it a real menu again: the caller is asked.
    options.append({"digit": "2", "action": {"type": "voicemail"}})
    await client.patch(
        f"{API}/routers/{line.router['id']}", json={"menu": menu}, headers=tenant.headers
    )
    asked = await callsetup.place(client, tenant, line, digits=["1"], phones={"Ann": "answer"})
    assert asked["status"] == "in_menu"
    await callsetup.settle(ctx)
    assert await gathers(client, tenant, asked["id"]) == 1
    assert (await callsetup.call(client, tenant, asked["id"]))["status"] == "completed"
