"""One level of an escalation policy at a time: ``PolicyService.add_level``, ``update_level``,
``move_level`` and ``remove_level``, for APIs whose levels are objects of their own (OneUptime's
escalation rules). Each keeps the other levels' ids and applies the rules a whole-policy write
applies, in the same words."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import ValidationError as PydanticValidationError

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.engine.escalation import RingStrategy, TargetKind
from callroute.errors import NotFound, ValidationFailed
from callroute.escalation_policies.schemas import (
    MAX_LEVELS,
    MAX_POSITION,
    LevelIn,
    LevelUpdate,
    PolicyFields,
    PolicyUpdate,
    TargetIn,
)
from callroute.escalation_policies.service import PolicyService
from tests import factories
from tests.conftest import Tenant

JSON = dict[str, Any]


def level(name: str, *member_ids: str, **extra: Any) -> LevelIn:
    targets = [TargetIn(type=TargetKind.MEMBER, id=uuid.UUID(m)) for m in member_ids]
    return LevelIn(name=name, targets=targets, **extra)


async def people(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, str]:
    return {
        name: (await factories.member(client, tenant, name, f"+1415555010{i}"))["id"]
        for i, name in enumerate(("Ann", "Bob", "Cat"))
    }


async def placed(ctx: AppContext, tenant: Tenant, policy_id: str) -> list[tuple[int, str, str]]:
    """(position, name, id) of each level, in ring order."""
    async with ctx.db.unit_of_work(readonly=True) as session:
        policy = await PolicyService(session, tenant.project_id, ctx.clock).get(policy_id)
        levels = sorted(policy.levels, key=lambda lv: lv.position)
        return [(lv.position, lv.name, str(lv.id)) for lv in levels]


async def native_levels(client: httpx.AsyncClient, tenant: Tenant, policy_id: str) -> list[JSON]:
    got = await client.get(f"/api/v1/escalation-policies/{policy_id}", headers=tenant.headers)
    assert got.status_code == 200, got.text
    levels: list[JSON] = got.json()["levels"]
    return levels


async def test_levels_are_added_moved_and_removed_keeping_the_others_ids(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    p = await people(client, tenant)
    native = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {
            "name": "Support",
            "levels": [
                {"name": "A", "targets": [{"type": "member", "id": p["Ann"]}]},
                {"name": "B", "targets": [{"type": "member", "id": p["Bob"]}]},
            ],
        },
    )
    pid = native["id"]
    (_, _, a), (_, _, b) = await placed(ctx, tenant, pid)

    async def write(op: str, *args: Any) -> Any:
        async with ctx.db.unit_of_work() as session:
            policies = PolicyService(session, tenant.project_id, ctx.clock)
            return await getattr(policies, op)(pid, *args)

    c = str((await write("add_level", level("C", p["Cat"]))).id)  # after the last
    x = str((await write("add_level", level("X", p["Ann"]), 1)).id)  # B and C move down
    assert await placed(ctx, tenant, pid) == [(0, "A", a), (1, "X", x), (2, "B", b), (3, "C", c)]
    await write("move_level", uuid.UUID(c), 0)  # earlier: A, X and B move down
    assert await placed(ctx, tenant, pid) == [(0, "C", c), (1, "A", a), (2, "X", x), (3, "B", b)]
    await write("move_level", uuid.UUID(c), 2)  # later: A and X move up
    assert await placed(ctx, tenant, pid) == [(0, "A", a), (1, "X", x), (2, "C", c), (3, "B", b)]
    await write("remove_level", uuid.UUID(a))  # the rest move up
    assert await placed(ctx, tenant, pid) == [(0, "X", x), (1, "C", c), (2, "B", b)]
    # A gap is kept; a level without a position goes after the last.
    far = str((await write("add_level", level("Far", p["Bob"]), 9)).id)
    last = str((await write("add_level", level("Last", p["Cat"]))).id)
    assert await placed(ctx, tenant, pid) == [
        (0, "X", x),
        (1, "C", c),
        (2, "B", b),
        (9, "Far", far),
        (10, "Last", last),
    ]
    # Moving across a gap moves only the levels it passes.
    await write("move_level", uuid.UUID(x), 5)
    assert [(pos, name) for pos, name, _ in await placed(ctx, tenant, pid)] == [
        (0, "C"),
        (1, "B"),
        (5, "X"),
        (9, "Far"),
        (10, "Last"),
    ]
    # The native API reads the levels in their ring order, and so do calls.
    assert [lv["name"] for lv in await native_levels(client, tenant, pid)] == [
        "C",
        "B",
        "X",
        "Far",
        "Last",
    ]
    on_call = await client.get(f"/api/v1/escalation-policies/{pid}/on-call", headers=tenant.headers)
    assert on_call.status_code == 200, on_call.text
    assert [lv["responders"][0]["name"] for lv in on_call.json()["levels"]] == [
        "Cat",
        "Bob",
        "Ann",
        "Bob",
        "Cat",
    ]


async def test_a_level_added_or_changed_reads_back_as_written(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, clock: FrozenClock
) -> None:
    p = await people(client, tenant)
    async with ctx.db.unit_of_work() as session:
        policies = PolicyService(session, tenant.project_id, ctx.clock)
        policy = await policies.create_without_levels(PolicyFields(name="Rules"))
        pid = str(policy.id)
        added = await policies.add_level(
            pid,
            level(
                "Primary",
                p["Ann"],
                p["Bob"],
                description="Pager",
                strategy=RingStrategy.SIMULTANEOUS,
                ring_timeout_seconds=20,
                delay_seconds=60,
            ),
        )
        level_id = added.id
        created_at = added.created_at
        target_ids = [t.id for t in added.targets]
    assert await native_levels(client, tenant, pid) == [
        {
            "name": "Primary",
            "description": "Pager",
            "strategy": "simultaneous",
            "ring_timeout_seconds": 20,
            "delay_seconds": 60,
            "targets": [{"type": "member", "id": p["Ann"]}, {"type": "member", "id": p["Bob"]}],
        }
    ]

    team = await factories.post(client, tenant, "teams", {"name": "SRE"})
    clock.advance(timedelta(minutes=1))
    same_targets = [
        TargetIn(type=TargetKind.MEMBER, id=uuid.UUID(p["Ann"])),
        TargetIn(type=TargetKind.MEMBER, id=uuid.UUID(p["Bob"])),
    ]
    async with ctx.db.unit_of_work() as session:
        policies = PolicyService(session, tenant.project_id, ctx.clock)
        changed = await policies.update_level(
            pid, level_id, LevelUpdate(name="First", ring_timeout_seconds=45, targets=same_targets)
        )
        # Only what was given changed; the same targets are the same rows.
        assert (changed.id, changed.created_at, changed.updated_at) == (
            level_id,
            created_at,
            clock.now(),
        )
        assert [t.id for t in changed.targets] == target_ids
        await policies.update_level(
            pid,
            level_id,
            LevelUpdate(
                strategy=RingStrategy.SEQUENTIAL,
                delay_seconds=0,
                targets=[TargetIn(type=TargetKind.TEAM, id=uuid.UUID(team["id"]))],
            ),
        )
    assert await native_levels(client, tenant, pid) == [
        {
            "name": "First",
            "description": "Pager",
            "strategy": "sequential",
            "ring_timeout_seconds": 45,
            "delay_seconds": 0,
            "targets": [{"type": "team", "id": team["id"]}],
        }
    ]
    # The last level may go: the policy rings nobody, as one created without levels.
    async with ctx.db.unit_of_work() as session:
        await PolicyService(session, tenant.project_id, ctx.clock).remove_level(pid, level_id)
    assert await native_levels(client, tenant, pid) == []


async def test_one_level_writes_apply_the_rules_of_a_whole_policy_write(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, ctx: AppContext
) -> None:
    p = await people(client, tenant)
    theirs = (await factories.member(client, other_tenant, "Zed", "+14155550199"))["id"]
    full = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {
            "name": "Full",
            "levels": [{"targets": [{"type": "member", "id": p["Ann"]}]}] * MAX_LEVELS,
        },
    )
    small = await factories.policy(client, tenant, [{"type": "member", "id": p["Ann"]}])
    before = await placed(ctx, tenant, small["id"])
    level_id = uuid.UUID(before[0][2])

    async def refused(op: str, policy_id: str, *args: Any) -> ValidationFailed:
        async with ctx.db.unit_of_work() as session:
            policies = PolicyService(session, tenant.project_id, ctx.clock)
            with pytest.raises(ValidationFailed) as raised:
                await getattr(policies, op)(policy_id, *args)
        return raised.value

    # The level limit: said for one level more as for a whole policy with too many.
    limit = f"levels: a policy has at most {MAX_LEVELS} levels"
    one_more = await refused("add_level", full["id"], level("More", p["Bob"]))
    assert (one_more.field, one_more.message) == ("levels", limit)
    too_many = PolicyUpdate.model_construct(levels=[level("L", p["Ann"])] * (MAX_LEVELS + 1))
    whole = await refused("update", small["id"], too_many)
    assert (whole.field, whole.message) == ("levels", limit)

    # Targets: the project's own, each once in its level; named as in a level.
    foreign = await refused("add_level", small["id"], level("Theirs", theirs))
    assert (foreign.field, foreign.message) == (
        "targets[0].id",
        f"targets[0].id: no member {theirs} in this project",
    )
    to_theirs = LevelUpdate(targets=[TargetIn(type=TargetKind.MEMBER, id=uuid.UUID(theirs))])
    changed = await refused("update_level", small["id"], level_id, to_theirs)
    assert changed.message == f"targets[0].id: no member {theirs} in this project"
    native = await client.post(
        "/api/v1/escalation-policies",
        json={"name": "Theirs", "levels": [{"targets": [{"type": "member", "id": theirs}]}]},
        headers=tenant.headers,
    )
    assert native.status_code == 422, native.text
    assert native.json()["error"]["message"] == (
        f"levels[0].targets[0].id: no member {theirs} in this project"
    )
    twice = await refused("add_level", small["id"], level("Twice", p["Bob"], p["Bob"]))
    assert twice.message == "targets[1]: this target is listed twice in the level"

    # Positions: from 0 to MAX_POSITION, for an added level as for a moved one.
    for position in (-1, MAX_POSITION + 1):
        message = f"position: {position} is not a level position (0 to {MAX_POSITION})"
        added = await refused("add_level", small["id"], level("Where", p["Bob"]), position)
        assert (added.field, added.message) == ("position", message)
        moved = await refused("move_level", small["id"], level_id, position)
        assert (moved.field, moved.message) == ("position", message)
    nulled = await refused("update_level", small["id"], level_id, LevelUpdate(name=None))
    assert nulled.message == "name: cannot be null"
    assert await placed(ctx, tenant, small["id"]) == before  # nothing refused was written

    # A level of another policy, or another project's policy, is not found.
    async with ctx.db.unit_of_work() as session:
        policies = PolicyService(session, tenant.project_id, ctx.clock)
        with pytest.raises(NotFound):
            await policies.remove_level(full["id"], level_id)
        with pytest.raises(NotFound):
            await policies.move_level(full["id"], level_id, 0)
    async with ctx.db.unit_of_work() as session:
        others = PolicyService(session, other_tenant.project_id, ctx.clock)
        with pytest.raises(NotFound):
            await others.add_level(small["id"], level("Theirs", theirs))


def test_a_change_to_a_level_has_the_bounds_of_a_level() -> None:
    """LevelIn and LevelUpdate share each field's type, so one cannot drift from the other."""
    ann = {"type": "member", "id": str(uuid.uuid4())}
    for field, bad in (
        ("ring_timeout_seconds", 4),
        ("ring_timeout_seconds", 601),
        ("delay_seconds", -1),
        ("delay_seconds", 3601),
        ("name", "x" * 201),
        ("description", "x" * 2001),
        ("targets", []),
        ("targets", [ann] * 21),
    ):
        whole = {"targets": [ann], field: bad}
        for model, data in ((LevelIn, whole), (LevelUpdate, {field: bad})):
            with pytest.raises(PydanticValidationError) as raised:
                model.model_validate_json(json.dumps(data))
            assert [e["loc"][0] for e in raised.value.errors()] == [field], (model, field)
