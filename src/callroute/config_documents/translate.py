"""A document's objects as the API's own create and update requests: each name replaced by
the id (or urgency slug) it stands for. The API's models then check the object exactly as a
request would, so the document keeps no rules of its own."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from callroute.bots.schemas import BotCreate, BotUpdate
from callroute.catalog.schemas import ServiceCreate, ServiceUpdate
from callroute.config_documents.references import POLICY_TARGET_KINDS, TARGET_KINDS
from callroute.contacts.schemas import ContactCreate, ContactUpdate
from callroute.escalation_policies.schemas import PolicyCreate, PolicyUpdate
from callroute.members.schemas import MemberCreate, MemberUpdate
from callroute.outgoing_webhooks.schemas import SubscriptionCreate, SubscriptionUpdate
from callroute.projects.slugs import slugify
from callroute.routers.schemas import RouterCreate, RouterUpdate
from callroute.schedules.schemas import ScheduleCreate, ScheduleUpdate
from callroute.sip_trunks.schemas import TrunkCreate, TrunkUpdate
from callroute.teams.schemas import TeamCreate, TeamUpdate
from callroute.urgencies.schemas import UrgencyCreate, UrgencyUpdate

# (kind, name) → the id, or for urgencies the slug, that the API takes.
Resolve = Callable[[str, str], str]
Payload = dict[str, Any]

_PLACEHOLDERS = uuid.UUID("6f1c2a9e-7a5b-4c1e-9d3f-2b8e4a6c0d11")


def placeholder(kind: str, name: str) -> str:
    """A stand-in for an object that does not exist yet, to check a request before it is
    made: an urgency's slug is its name's, anything else a made-up id."""
    if kind == "urgencies":
        return slugify(name)
    return str(uuid.uuid5(_PLACEHOLDERS, f"{kind}:{name}"))


def _rename(payload: Payload, resolve: Resolve, field: str, to: str, kind: str) -> None:
    """``field``'s name as ``to``'s id; a null stays null (an update then clears it)."""
    value = payload.pop(field)
    payload[to] = None if value is None else resolve(kind, value)


def _as_is(doc: Payload, resolve: Resolve) -> Payload:
    return doc


def _team(doc: Payload, resolve: Resolve) -> Payload:
    doc["member_ids"] = [resolve("members", m) for m in doc.pop("members")]
    _rename(
        doc,
        resolve,
        "default_escalation_policy",
        "default_escalation_policy_id",
        "escalation_policies",
    )
    return doc


def _schedule(doc: Payload, resolve: Resolve) -> Payload:
    doc.pop("overrides", None)  # written one by one (ScheduleService.add_override)
    for layer in doc.get("layers", []):
        layer["member_ids"] = [resolve("members", m) for m in layer.pop("members")]
    return doc


def _policy(doc: Payload, resolve: Resolve) -> Payload:
    for level in doc.get("levels", []):
        level["targets"] = [
            {"type": t["type"], "id": resolve(POLICY_TARGET_KINDS[t["type"]], t["name"])}
            for t in level["targets"]
        ]
    return doc


def _service(doc: Payload, resolve: Resolve) -> Payload:
    _rename(doc, resolve, "escalation_policy", "escalation_policy_id", "escalation_policies")
    return doc


def _action(action: Payload, resolve: Resolve) -> None:
    target = action.get("target")
    if target is not None:
        kind = TARGET_KINDS[target["type"]]
        action["target"] = {"type": target["type"], "id": resolve(kind, target["name"])}
    for field, kind in (("sip_trunk", "sip_trunks"), ("bot", "bots")):
        value = action.pop(field, None)
        if value is not None:
            action[f"{field}_id"] = resolve(kind, value)
    if action.get("urgency") is not None:
        action["urgency"] = resolve("urgencies", action["urgency"])


def _router(doc: Payload, resolve: Resolve) -> Payload:
    _rename(doc, resolve, "connection", "connection_id", "connections")
    if "numbers" in doc:
        doc["phone_number_ids"] = [resolve("numbers", n) for n in doc.pop("numbers")]
    if doc.get("action") is not None:
        _action(doc["action"], resolve)
    if doc.get("menu") is not None:
        for option in doc["menu"]["options"]:
            _action(option["action"], resolve)
    if doc.get("business_hours") is not None:
        _action(doc["business_hours"]["after_hours_action"], resolve)
    alert = doc.get("alert")
    if alert is not None and alert.get("urgency") is not None:
        alert["urgency"] = resolve("urgencies", alert["urgency"])
    outbound = doc.get("outbound")
    if outbound is not None:
        _action(outbound, resolve)
    return doc


@dataclass(frozen=True)
class Translation:
    create: type[BaseModel]
    update: type[BaseModel]
    payload: Callable[[Payload, Resolve], Payload]
    # A document field that is another field in the API (``members`` → ``member_ids``).
    renamed: dict[str, str]


TRANSLATIONS: dict[str, Translation] = {
    "urgencies": Translation(UrgencyCreate, UrgencyUpdate, _as_is, {}),
    "members": Translation(MemberCreate, MemberUpdate, _as_is, {}),
    "contacts": Translation(ContactCreate, ContactUpdate, _as_is, {}),
    "sip_trunks": Translation(TrunkCreate, TrunkUpdate, _as_is, {}),
    "bots": Translation(BotCreate, BotUpdate, _as_is, {}),
    "teams": Translation(
        TeamCreate,
        TeamUpdate,
        _team,
        {"members": "member_ids", "default_escalation_policy": "default_escalation_policy_id"},
    ),
    "schedules": Translation(ScheduleCreate, ScheduleUpdate, _schedule, {}),
    "escalation_policies": Translation(PolicyCreate, PolicyUpdate, _policy, {}),
    "services": Translation(
        ServiceCreate, ServiceUpdate, _service, {"escalation_policy": "escalation_policy_id"}
    ),
    "routers": Translation(
        RouterCreate,
        RouterUpdate,
        _router,
        {"connection": "connection_id", "numbers": "phone_number_ids"},
    ),
    "webhook_subscriptions": Translation(SubscriptionCreate, SubscriptionUpdate, _as_is, {}),
}


def api_payload(kind: str, obj: BaseModel, resolve: Resolve) -> Payload:
    """The whole object as the API's create request takes it (JSON values)."""
    return TRANSLATIONS[kind].payload(obj.model_dump(mode="json"), resolve)


def create_request(kind: str, obj: BaseModel, resolve: Resolve) -> BaseModel:
    return TRANSLATIONS[kind].create.model_validate(api_payload(kind, obj, resolve))


def update_request(kind: str, obj: BaseModel, fields: set[str], resolve: Resolve) -> BaseModel:
    """An update that sends the document's ``fields`` (top-level names) and nothing else."""
    translation = TRANSLATIONS[kind]
    payload = api_payload(kind, obj, resolve)
    wanted = {translation.renamed.get(f, f) for f in fields}
    return translation.update.model_validate({k: v for k, v in payload.items() if k in wanted})


# The API's field names in a path or message, as the document calls them.
_DOC_WORDS = (
    (re.compile(r"\btargets\[(\d+)\]\.id\b"), r"targets[\1].name"),
    (re.compile(r"\btarget\.id\b"), "target"),
    (re.compile(r"\bmember_ids\b"), "members"),
    (re.compile(r"\bsip_trunk_id\b"), "sip_trunk"),
    (re.compile(r"\bbot_id\b"), "bot"),
    (re.compile(r"\bphone_number_ids\b"), "numbers"),
    (re.compile(r"\bconnection_id\b"), "connection"),
    (re.compile(r"\b(default_)?escalation_policy_id\b"), r"\1escalation_policy"),
    (re.compile(r"\.duration\b"), ".duration_minutes"),
)


def in_document_terms(text: str) -> str:
    for pattern, replacement in _DOC_WORDS:
        text = pattern.sub(replacement, text)
    return text
