"""The project's configuration as a document: every id written as the name it stands for,
objects in name order, secrets left out."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.config_documents.repository import ConfigRepository
from callroute.config_documents.schema import Document
from callroute.models import (
    EscalationPolicy,
    PhoneNumber,
    Router,
    Schedule,
    ScheduleOverride,
    Urgency,
)
from callroute.urgencies.service import BUILT_IN


@dataclass
class Current:
    """What the project has: its document (built-in urgencies included), and what each name
    stands for (the id, an urgency's slug), to resolve a document's names against."""

    document: Document
    ids: dict[tuple[str, str], str] = field(default_factory=dict)
    ambiguous: set[tuple[str, str]] = field(default_factory=set)
    built_in: set[str] = field(default_factory=set)  # urgency names, never deleted

    def built_in_keys(self) -> set[tuple[str, str]]:
        return {("urgencies", name) for name in self.built_in}


class _Names:
    def __init__(self) -> None:
        self.by_id: dict[Any, str] = {}
        self.ids: dict[tuple[str, str], str] = {}
        self.ambiguous: set[tuple[str, str]] = set()

    def add(self, kind: str, rows: Iterable[Any], attr: str = "name", value: str = "id") -> None:
        for row in rows:
            name = str(getattr(row, attr))
            self.by_id[getattr(row, value)] = name
            if (kind, name) in self.ids:
                self.ambiguous.add((kind, name))
            else:
                self.ids[(kind, name)] = str(getattr(row, value))

    def name(self, ref: Any) -> str:
        # A reference to a row that is gone cannot be named: say so rather than drop it.
        return self.by_id.get(ref if not isinstance(ref, str) else _as_id(ref), f"<{ref}>")


def _as_id(value: str) -> Any:
    try:
        return uuid.UUID(value)
    except ValueError:
        return value  # an urgency slug


async def load(session: AsyncSession, project_id: uuid.UUID) -> Current:
    repo = ConfigRepository(session, project_id)
    members, teams, schedules = await repo.members(), await repo.teams(), await repo.schedules()
    policies, services, urgencies = (
        await repo.policies(),
        await repo.services(),
        await repo.urgencies(),
    )
    contacts, trunks, bots = await repo.contacts(), await repo.trunks(), await repo.bots()
    routers, subscriptions = await repo.routers(), await repo.subscriptions()
    connections, numbers = await repo.connections(), await repo.numbers()
    names = _Names()
    for kind, rows in (
        ("members", members),
        ("teams", teams),
        ("schedules", schedules),
        ("escalation_policies", policies),
        ("services", services),
        ("contacts", contacts),
        ("sip_trunks", trunks),
        ("bots", bots),
        ("routers", routers),
        ("connections", connections),
    ):
        names.add(kind, rows)
    names.add("urgencies", urgencies, value="slug")
    names.add("numbers", numbers, attr="number")
    names.add("webhook_subscriptions", subscriptions, attr="url")
    overrides = await repo.overrides()
    document = Document.model_validate(
        {
            "version": 1,
            "urgencies": [_urgency(u) for u in urgencies],
            "members": [
                {
                    "name": m.name,
                    "email": m.email,
                    "role": m.role,
                    "time_zone": m.time_zone,
                    "sip_uri": m.sip_uri,
                    "phones": [{"number": p.number, "label": p.label} for p in m.phones],
                }
                for m in members
            ],
            "contacts": [
                {
                    "name": c.name,
                    "phones": [{"number": p.number, "label": p.label} for p in c.phones],
                    "labels": c.labels,
                    "external_id": c.external_id,
                    "notes": c.notes,
                }
                for c in contacts
            ],
            "sip_trunks": [
                {"name": t.name, "uri": t.uri, "username": t.username, "description": t.description}
                for t in trunks
            ],
            "bots": [
                {
                    "name": b.name,
                    "websocket_url": b.websocket_url,
                    "parameters": b.parameters,
                    "description": b.description,
                }
                for b in bots
            ],
            "teams": [
                {
                    "name": t.name,
                    "description": t.description,
                    "members": [names.name(m.member_id) for m in t.memberships],
                    "default_escalation_policy": None
                    if t.default_escalation_policy_id is None
                    else names.name(t.default_escalation_policy_id),
                }
                for t in teams
            ],
            "schedules": [_schedule(s, overrides, names) for s in schedules],
            "escalation_policies": [_policy(p, names) for p in policies],
            "services": [
                {
                    "name": s.name,
                    "description": s.description,
                    "kind": s.kind,
                    "escalation_policy": None
                    if s.escalation_policy_id is None
                    else names.name(s.escalation_policy_id),
                }
                for s in services
            ],
            "routers": [_router(r, numbers, names) for r in routers],
            "webhook_subscriptions": [
                {
                    "url": s.url,
                    "events": s.events,
                    "description": s.description,
                    "enabled": s.enabled,
                }
                for s in subscriptions
            ],
        }
    )
    return Current(
        document=document,
        ids=names.ids,
        ambiguous=names.ambiguous,
        built_in={u.name for u in urgencies if u.built_in},
    )


def exported(current: Current) -> dict[str, Any]:
    """The document as export writes it: defaults left out, and the built-in urgencies only
    where they were changed, so the file holds what was chosen."""
    seeded = {
        (name, description, position)
        for position, (name, _slug, description) in enumerate(BUILT_IN)
    }
    urgencies = [
        u
        for u in current.document.urgencies
        if u.name not in current.built_in or (u.name, u.description, u.position) not in seeded
    ]
    document = current.document.model_copy(update={"urgencies": urgencies})
    dumped = document.model_dump(mode="json", exclude_defaults=True)
    # Each object opens with what names it, as a person writes the file, whatever the order
    # of the model's fields (a router's come from the router document it extends).
    for kind, objects in dumped.items():
        if isinstance(objects, list):
            dumped[kind] = [_name_first(o) if isinstance(o, dict) else o for o in objects]
    return dumped


def _name_first(obj: dict[str, Any]) -> dict[str, Any]:
    first = [key for key in ("name", "url") if key in obj]
    return {**{key: obj[key] for key in first}, **obj}


def _urgency(u: Urgency) -> dict[str, Any]:
    return {"name": u.name, "description": u.description, "position": u.position}


def _schedule(s: Schedule, overrides: list[ScheduleOverride], names: _Names) -> dict[str, Any]:
    own = sorted(
        (o for o in overrides if o.schedule_id == s.id),
        key=lambda o: (o.starts_at, o.ends_at, names.name(o.member_id)),
    )
    return {
        "name": s.name,
        "description": s.description,
        "time_zone": s.time_zone,
        "layers": [
            {
                "name": None if layer.name == f"Layer {i + 1}" else layer.name,
                "start": layer.starts_at.isoformat(),
                "end": layer.ends_at.isoformat() if layer.ends_at else None,
                "rotation_length": layer.rotation_length,
                "rotation_unit": layer.rotation_unit,
                "handoff_time": time.fromisoformat(layer.handoff_time).isoformat()
                if layer.handoff_time
                else None,
                "members": [names.name(m.member_id) for m in layer.members],
                "restrictions": [
                    {k: v for k, v in r.items() if v is not None} for r in layer.restrictions
                ],
            }
            for i, layer in enumerate(s.layers)
        ],
        "overrides": [
            {
                "member": names.name(o.member_id),
                "start": o.starts_at.isoformat(),
                "end": o.ends_at.isoformat(),
            }
            for o in own
        ],
    }


def _policy(p: EscalationPolicy, names: _Names) -> dict[str, Any]:
    return {
        "name": p.name,
        "description": p.description,
        "repeat_count": p.repeat_count,
        "levels": [
            {
                "name": level.name,
                "description": level.description,
                "strategy": level.strategy,
                "ring_timeout_seconds": level.ring_timeout_seconds,
                "delay_seconds": level.delay_seconds,
                "targets": [
                    {
                        "type": t.kind,
                        "name": names.name(t.member_id or t.team_id or t.schedule_id),
                    }
                    for t in level.targets
                ],
            }
            for level in p.levels
        ],
    }


def _action(action: dict[str, Any], names: _Names) -> None:
    target = action.get("target")
    if target is not None:
        action["target"] = {"type": target["type"], "name": names.name(target["id"])}
    for field_name in ("sip_trunk", "bot"):
        value = action.pop(f"{field_name}_id", None)
        if value is not None:
            action[field_name] = names.name(value)
    if action.get("urgency") is not None:
        action["urgency"] = names.name(action["urgency"])


def _router(r: Router, numbers: list[PhoneNumber], names: _Names) -> dict[str, Any]:
    config = copy.deepcopy(r.config)  # the row's own document must stay as it is
    if config.get("action") is not None:
        _action(config["action"], names)
    if config.get("menu") is not None:
        for option in config["menu"]["options"]:
            _action(option["action"], names)
    if config.get("business_hours") is not None:
        _action(config["business_hours"]["after_hours_action"], names)
    if config.get("alert", {}).get("urgency") is not None:
        config["alert"]["urgency"] = names.name(config["alert"]["urgency"])
    if config.get("outbound") is not None:
        _action(config["outbound"], names)
    return {
        **config,
        "name": r.name,
        "enabled": r.enabled,
        "description": r.description,
        "labels": r.labels,
        "connection": None if r.connection_id is None else names.name(r.connection_id),
        "numbers": [n.number for n in numbers if n.router_id == r.id],
    }
