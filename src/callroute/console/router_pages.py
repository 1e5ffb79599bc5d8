"""What the console's router pages read: a router's settings in words with the names of what
they point at, and the list of routers. No HTTP here; the queries are the resources' own
repositories'."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.bots.repository import BotRepository
from callroute.catalog.repository import ServiceRepository
from callroute.clock import Clock
from callroute.connections.repository import ConnectionRepository
from callroute.console import router_words as words
from callroute.console.router_words import Names, Section, Setting
from callroute.db.repository import ScopedRepository
from callroute.escalation_policies.repository import PolicyRepository
from callroute.members.repository import MemberRepository
from callroute.models import Router
from callroute.routers.repository import RouterRepository
from callroute.routers.schemas import RouterConfig, RouterListQuery
from callroute.routers.service import RouterService
from callroute.schedules.repository import ScheduleRepository
from callroute.sip_trunks.repository import TrunkRepository
from callroute.teams.repository import TeamRepository

LISTED = 100  # routers on one page of the list

REPOSITORIES: dict[str, type[ScopedRepository[Any]]] = {
    "escalation_policy": PolicyRepository,
    "service": ServiceRepository,
    "team": TeamRepository,
    "schedule": ScheduleRepository,
    "member": MemberRepository,
    "sip_trunk": TrunkRepository,
    "bot": BotRepository,
}


async def names_for(
    session: AsyncSession, project_id: uuid.UUID, configs: Iterable[RouterConfig]
) -> Names:
    """The names of everything ``configs`` point at, one read per kind; another project's id
    is not found, like a removed one."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for config in configs:
        for kind, ref in words.referenced(config):
            wanted.setdefault(kind, set()).add(ref)
    names = Names()
    for kind, ids in wanted.items():
        for row in await REPOSITORIES[kind](session, project_id).among(ids):
            names.of[row.id] = row.name
            if kind == "team":
                names.policy_of[row.id] = row.default_escalation_policy_id
            elif kind == "service":
                names.policy_of[row.id] = row.escalation_policy_id
    through = {p for p in names.policy_of.values() if p is not None and p not in names.of}
    for policy in await PolicyRepository(session, project_id).among(through):
        names.of[policy.id] = policy.name
    return names


def config_of(router: Router) -> RouterConfig:
    """The stored document as the API's GET reads it back."""
    return RouterConfig.model_validate(router.config)


@dataclass(frozen=True)
class RouterPage:
    router: Router
    numbers: list[str]
    sections: list[Section]


async def router_page(
    session: AsyncSession, project_id: uuid.UUID, clock: Clock, ref: str
) -> RouterPage:
    """Every setting of the router ``ref``; another project's router is not found (404)."""
    router = await RouterService(session, project_id, clock).get(ref)
    config = config_of(router)
    numbers = (await RouterRepository(session, project_id).numbers_of([router.id]))[router.id]
    shown = [n.number for n in numbers]
    names = await names_for(session, project_id, [config])
    identity = await _identity(session, project_id, router, shown)
    return RouterPage(router, shown, [identity, *words.settings(config, names)])


async def _identity(
    session: AsyncSession, project_id: uuid.UUID, router: Router, numbers: list[str]
) -> Section:
    status = "enabled: it answers calls to its numbers"
    if not router.enabled:
        status = "disabled: calls to its numbers are refused"
    connection = "any (numbers of any connection may be attached)"
    if router.connection_id is not None:
        row = await ConnectionRepository(session, project_id).get(router.connection_id)
        connection = f"“{row.name}”" if row is not None else str(router.connection_id)
    rows = [
        Setting("Status", status),
        Setting("Numbers", ", ".join(numbers) if numbers else "none attached"),
        Setting("Provider connection", connection),
    ]
    if router.description:
        rows.append(Setting("Description", router.description))
    if router.labels:
        rows.append(Setting("Labels", ", ".join(router.labels)))
    rows += [
        Setting("Slug", router.slug),
        Setting("Routing id", str(router.handle)),
        Setting("Last changed", router.updated_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    return Section("Router", rows)


@dataclass(frozen=True)
class Listed:
    id: uuid.UUID
    name: str
    enabled: bool
    numbers: list[str]
    does: str  # what a call meets first, in a line


async def router_list(
    session: AsyncSession, project_id: uuid.UUID, clock: Clock, cursor: str | None
) -> tuple[list[Listed], str | None]:
    """One page of the project's routers by name, and the cursor of the next page."""
    query = RouterListQuery(sort="name", limit=LISTED, cursor=cursor or None)
    found = await RouterService(session, project_id, clock).page(query)
    rows = list(found.rows)
    numbers = await RouterRepository(session, project_id).numbers_of([r.id for r in rows])
    configs = {r.id: config_of(r) for r in rows}
    names = await names_for(session, project_id, configs.values())
    listed = [
        Listed(
            r.id,
            r.name,
            r.enabled,
            [n.number for n in numbers[r.id]],
            words.what_it_does(configs[r.id], names),
        )
        for r in rows
    ]
    return listed, found.next_cursor
