"""The configuration revision, and the compiled routers a process keeps between calls.

Every change to routing configuration moves the revision, whatever path it takes (a flush, a
bulk statement); calls do not. A call always routes by the configuration as it is when the call
arrives: a change made between two calls reaches the second one, and who is on call follows
the rotation even while nothing changes in the database.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import delete, update

from callroute.app_context import AppContext
from callroute.calls import config_cache
from callroute.clock import FrozenClock
from callroute.db.revisions import config_revision
from callroute.models import Revision, Team
from tests import callsetup, factories
from tests.conftest import START, Tenant


async def revision(ctx: AppContext) -> int:
    async with ctx.db.unit_of_work(readonly=True) as session:
        return await config_revision(session)


async def test_configuration_changes_move_the_revision_and_calls_do_not(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    before = await revision(ctx)
    await callsetup.place(client, tenant, line, default="no-answer")
    await callsetup.settle(ctx)
    assert await revision(ctx) == before  # a call, its timers, legs, alert: not configuration

    await factories.member(client, tenant, "Dana", "+14155550104")
    after_member = await revision(ctx)
    assert after_member > before

    patched = await client.patch(
        f"/api/v1/routers/{line.router['id']}",
        json={"greeting": {"text": "Changed."}},
        headers=tenant.headers,
    )
    assert patched.status_code == 200
    after_router = await revision(ctx)
    assert after_router > after_member

    # A bulk statement on a configuration table moves it too; one on a runtime table does not.
    async with ctx.db.unit_of_work() as session:
        await session.execute(
            update(Team).where(Team.project_id == tenant.project_id).values(description="x")
        )
    assert await revision(ctx) > after_router
    moved = await revision(ctx)
    async with ctx.db.unit_of_work() as session:
        await session.execute(delete(Revision).where(Revision.name == "nothing"))
    assert await revision(ctx) == moved


async def test_a_missing_counter_is_recreated_by_the_next_change(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    async with ctx.db.unit_of_work() as session:
        await session.execute(delete(Revision))
    assert await revision(ctx) == 0
    await factories.member(client, tenant, "Dana", "+14155550104")
    assert await revision(ctx) == 1


async def test_a_router_change_reaches_the_next_call(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    first = await callsetup.place(client, tenant, line, default="no-answer")
    response = await client.patch(
        f"/api/v1/routers/{line.router['id']}",
        json={"greeting": {"text": "We have moved."}},
        headers=tenant.headers,
    )
    assert response.status_code == 200
    second = await callsetup.place(client, tenant, line, default="no-answer")

    async def greeting(call_id: str) -> str:
        entries = await callsetup.timeline(client, tenant, call_id)
        says = [
            e["detail"]["prompt"]["text"]
            for e in entries
            if e["kind"] == "command" and e["detail"]["type"] == "say"
        ]
        return str(says[0])

    assert await greeting(first["id"]) == "Welcome."
    assert await greeting(second["id"]) == "We have moved."


async def test_who_is_on_call_follows_the_rotation_and_overrides_between_calls(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    assert isinstance(ctx.clock, FrozenClock)
    line = await callsetup.routed_line(client, tenant)
    ann, bob, chris = (line.members[name]["id"] for name in ("Ann", "Bob", "Chris"))
    schedule = await factories.post(
        client,
        tenant,
        "schedules",
        {
            "name": "Hourly",
            "time_zone": "UTC",
            "layers": [
                {
                    "start": START.isoformat(),
                    "rotation_length": 1,
                    "rotation_unit": "hours",
                    "member_ids": [ann, bob],
                }
            ],
        },
    )
    policy = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {
            "name": "Hourly policy",
            "levels": [{"targets": [{"type": "schedule", "id": schedule["id"]}]}],
        },
    )
    response = await client.patch(
        f"/api/v1/routers/{line.router['id']}",
        json={
            "greeting": None,
            "action": {
                "type": "ring",
                "target": {"type": "escalation_policy", "id": policy["id"]},
            },
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text

    async def rung() -> list[str]:
        placed = await callsetup.place(client, tenant, line, default="no-answer")
        record = await callsetup.call(client, tenant, placed["id"])
        return [leg["member_name"] for leg in record["legs"]]

    ctx.clock.set(START + timedelta(minutes=59))
    assert await rung() == ["Ann"]
    # Nothing changed in the database, but the hand-off came: the kept router answers for it.
    ctx.clock.set(START + timedelta(minutes=61))
    assert await rung() == ["Bob"]
    # An override made now is seen by the very next call.
    await factories.post(
        client,
        tenant,
        f"schedules/{schedule['id']}/overrides",
        {
            "member_id": chris,
            "start": (START + timedelta(minutes=60)).isoformat(),
            "end": (START + timedelta(hours=3)).isoformat(),
        },
    )
    assert await rung() == ["Chris"]
    # Long after the kept router's window, it is read again and still right.
    ctx.clock.set(START + timedelta(hours=5, minutes=1))
    assert await rung() == ["Bob"]


async def test_forgetting_what_is_kept_changes_nothing(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    kept = await callsetup.place(client, tenant, line, default="no-answer")
    config_cache.forget_all()
    read_again = await callsetup.place(client, tenant, line, default="no-answer")
    one = await callsetup.call(client, tenant, kept["id"])
    two = await callsetup.call(client, tenant, read_again["id"])
    assert [leg["member_name"] for leg in one["legs"]] == ["Ann"]
    assert [leg["member_name"] for leg in two["legs"]] == ["Ann"]
