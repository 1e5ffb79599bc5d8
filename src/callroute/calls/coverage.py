"""Who each router would ring right now: the figure behind "nobody is on call" alerts.

Read the way a call arriving now would read it (the router's compiled source and a snapshot
at ``now``: business hours, the menu's choices, schedules and overrides), so the figure and a
real call never disagree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls import config_cache
from callroute.calls.repository import enabled_routers
from callroute.calls.snapshot import build_snapshot
from callroute.db.revisions import config_revision
from callroute.engine.callflow import model as m


@dataclass(frozen=True)
class Level:
    """One level of one choice a caller has, and who it would ring now."""

    label: str  # "Level 1", "Menu 2 · Level 1", "After hours · Level 1"
    people: tuple[m.Responder, ...]  # those with a number to ring


async def rung_now(
    session: AsyncSession, project_id: uuid.UUID, router_id: uuid.UUID, revision: int, now: datetime
) -> list[Level] | None:
    """The levels a call arriving now would ring, choice by choice; None when the router rings
    nobody by design (it only forwards, connects a bot, takes a voicemail or plays a message)."""
    source = await config_cache.router_source(session, project_id, router_id, revision, now)
    if source is None:
        return None
    snapshot = build_snapshot(source, "", "", None, now)
    rings = [(p, a) for p, a in _choices(snapshot) if a.kind is m.ActionKind.RING]
    if not rings:
        return None
    return [
        Level(f"{prefix}Level {index}", tuple(r for r in level.responders if r.numbers))
        for prefix, action in rings
        for index, level in enumerate(action.levels, start=1)
    ]


async def responders_on_call(session: AsyncSession, now: datetime) -> dict[str, int]:
    """For each enabled router that rings people: how many distinct people it would ring now,
    at any level of any choice a caller has. Routers that only forward, connect a bot or play
    a message are left out: "nobody on call" means nothing for them."""
    revision = await config_revision(session)
    counts: dict[str, int] = {}
    for project_id, router_id in await enabled_routers(session):
        levels = await rung_now(session, project_id, router_id, revision, now)
        if levels is not None:
            people = {person.member_id for level in levels for person in level.people}
            counts[str(router_id)] = len(people)
    return counts


def _choices(snapshot: m.Snapshot) -> list[tuple[str, m.Action]]:
    if snapshot.after_hours is not None:  # outside business hours, only that applies
        return [("After hours · ", snapshot.after_hours)]
    if snapshot.menu is not None:
        return [(f"Menu {o.digit} · ", o.action) for o in snapshot.menu.options]
    return [("", snapshot.action)] if snapshot.action is not None else []
