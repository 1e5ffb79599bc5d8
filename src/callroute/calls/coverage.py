"""Who each router would ring right now: the figure behind "nobody is on call" alerts.

Read the way a call arriving now would read it (the router's compiled source and a snapshot
at ``now``: business hours, the menu's choices, schedules and overrides), so the figure and a
real call never disagree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls import config_cache
from callroute.calls.repository import enabled_routers
from callroute.calls.snapshot import build_snapshot
from callroute.db.revisions import config_revision
from callroute.engine.callflow import model as m


async def responders_on_call(session: AsyncSession, now: datetime) -> dict[str, int]:
    """For each enabled router that rings people: how many distinct people it would ring now,
    at any level of any choice a caller has. Routers that only forward, connect a bot or play
    a message are left out: "nobody on call" means nothing for them."""
    revision = await config_revision(session)
    counts: dict[str, int] = {}
    for project_id, router_id in await enabled_routers(session):
        source = await config_cache.router_source(session, project_id, router_id, revision, now)
        if source is None:
            continue
        snapshot = build_snapshot(source, "", "", None, now)
        rings = [action for action in _choices(snapshot) if action.kind == m.ActionKind.RING]
        if not rings:
            continue
        people = {
            responder.member_id
            for action in rings
            for level in action.levels
            for responder in level.responders
            if responder.numbers
        }
        counts[str(router_id)] = len(people)
    return counts


def _choices(snapshot: m.Snapshot) -> list[m.Action]:
    if snapshot.after_hours is not None:  # outside business hours, only that applies
        return [snapshot.after_hours]
    if snapshot.menu is not None:
        return [option.action for option in snapshot.menu.options]
    return [snapshot.action] if snapshot.action is not None else []
