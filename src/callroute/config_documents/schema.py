"""The configuration document (version 1): what a project is configured with, every object
named and every reference a name, never an id.

Each kind reuses its API's field rules (types, bounds, defaults); a field that holds an id in
the API holds the referenced object's name here (``member_ids`` become ``members``). Secrets
are never part of a document: SIP trunk passwords, webhook signing secrets and provider
credentials are set through the API, and provider connections are referred to by name.
"""

from __future__ import annotations

from datetime import UTC, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, EmailStr, Field

from callroute.api.schemas import (
    E164,
    Name,
    RequestModel,
    StrictInt,
    StrictStr,
    TimeZoneName,
)
from callroute.auth.permissions import Role
from callroute.bots.schemas import BotCreate
from callroute.catalog.schemas import ServiceKind
from callroute.config_documents.router_schema import RouterDoc
from callroute.contacts.schemas import ContactCreate
from callroute.engine.escalation import RingStrategy, TargetKind
from callroute.engine.schedule import RotationUnit
from callroute.escalation_policies.schemas import (
    MAX_LEVELS,
    MAX_REPEAT,
    MAX_TARGETS,
    LevelDelay,
    LevelDescription,
    LevelName,
    RingTimeout,
)
from callroute.members.schemas import MAX_PHONES, SipUri
from callroute.outgoing_webhooks.schemas import SubscriptionCreate
from callroute.schedules.schemas import (
    MAX_LAYER_MEMBERS,
    MAX_LAYERS,
    MAX_RESTRICTIONS,
    RestrictionIn,
)
from callroute.sip_trunks.schemas import SipUri as TrunkUri
from callroute.teams.schemas import MAX_TEAM_MEMBERS

Description = Annotated[StrictStr, Field(max_length=2000)]
# Instants are kept in UTC so that a document and its export compare equal whatever offset
# the document was written with.
Instant = Annotated[AwareDatetime, AfterValidator(lambda value: value.astimezone(UTC))]
MAX_OBJECTS = 1000


class UrgencyDoc(RequestModel):
    name: StrictStr = Field(min_length=1, max_length=100)
    description: Description = ""
    position: StrictInt | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="0 is the most urgent; omitted: left as is (after the others for a new one).",
    )


class PhoneDoc(RequestModel):
    number: E164
    label: StrictStr = Field(default="mobile", min_length=1, max_length=40)


class MemberDoc(RequestModel):
    """A person. Whether a phone is verified, and a console password, are not configuration:
    they are kept as they are."""

    name: Name
    email: EmailStr | None = None
    role: Role = Role.MEMBER
    time_zone: TimeZoneName | None = None
    sip_uri: SipUri | None = None
    phones: list[PhoneDoc] = Field(default_factory=list, max_length=MAX_PHONES)


class ContactDoc(ContactCreate):
    """A known caller (the contacts API's fields)."""


class SipTrunkDoc(RequestModel):
    """A SIP trunk; its password is set through the API and never exported."""

    name: Name
    uri: TrunkUri
    username: StrictStr | None = Field(default=None, max_length=200)
    description: Description = ""


class BotDoc(BotCreate):
    """A WebSocket bot (the bots API's fields)."""


class TeamDoc(RequestModel):
    name: Name
    description: Description = ""
    members: list[Name] = Field(
        default_factory=list,
        max_length=MAX_TEAM_MEMBERS,
        description="Member names, in the order the team rings them.",
    )
    default_escalation_policy: Name | None = None


class LayerDoc(RequestModel):
    name: StrictStr | None = Field(
        default=None, min_length=1, max_length=200, description="Default: Layer <n>."
    )
    start: Instant = Field(description="When the rotation begins (the first member's turn).")
    end: Instant | None = None
    rotation_length: StrictInt = Field(ge=1, le=1000)
    rotation_unit: RotationUnit
    handoff_time: time | None = None
    members: list[Name] = Field(
        min_length=1, max_length=MAX_LAYER_MEMBERS, description="Rotation order; repeats allowed."
    )
    restrictions: list[RestrictionIn] = Field(default_factory=list, max_length=MAX_RESTRICTIONS)


class OverrideDoc(RequestModel):
    member: Name
    start: Instant
    end: Instant


class ScheduleDoc(RequestModel):
    name: Name
    description: Description = ""
    time_zone: TimeZoneName
    layers: list[LayerDoc] = Field(
        default_factory=list, max_length=MAX_LAYERS, description="Later layers win."
    )
    overrides: list[OverrideDoc] = Field(default_factory=list, max_length=MAX_OBJECTS)


class PolicyTargetDoc(RequestModel):
    type: TargetKind
    name: Name


class LevelDoc(RequestModel):
    name: LevelName = ""
    description: LevelDescription = ""
    targets: list[PolicyTargetDoc] = Field(min_length=1, max_length=MAX_TARGETS)
    strategy: RingStrategy = RingStrategy.SEQUENTIAL
    ring_timeout_seconds: RingTimeout = 30
    delay_seconds: LevelDelay = 0


class PolicyDoc(RequestModel):
    name: Name
    description: Description = ""
    repeat_count: StrictInt = Field(default=0, ge=0, le=MAX_REPEAT)
    levels: list[LevelDoc] = Field(min_length=1, max_length=MAX_LEVELS)


class ServiceDoc(RequestModel):
    name: Name
    description: Description = ""
    kind: ServiceKind = ServiceKind.SERVICE
    escalation_policy: Name | None = None


class WebhookSubscriptionDoc(SubscriptionCreate):
    """A webhook subscription, known by its URL; its signing secret is made when it is
    created and shown only then (the API's answer), never exported."""


def _objects(description: str) -> Any:
    return Field(default_factory=list, max_length=MAX_OBJECTS, description=description)


class Document(RequestModel):
    """A project's configuration. Objects refer to each other by name. Secrets are never in
    a document: SIP trunk passwords, webhook signing secrets and provider credentials are set
    through the API, and provider connections and phone numbers are referred to (by name,
    by number), never declared."""

    version: Literal[1] = Field(description="The document format's version.")
    urgencies: list[UrgencyDoc] = _objects("Beyond the built-in High, Medium and Low.")
    members: list[MemberDoc] = _objects("People, with their phones.")
    contacts: list[ContactDoc] = _objects("Known callers.")
    sip_trunks: list[SipTrunkDoc] = _objects("SIP destinations.")
    bots: list[BotDoc] = _objects("WebSocket bots.")
    teams: list[TeamDoc] = _objects("Groups of members.")
    schedules: list[ScheduleDoc] = _objects("Rotations and overrides.")
    escalation_policies: list[PolicyDoc] = _objects("Levels of targets.")
    services: list[ServiceDoc] = _objects("What can be paged.")
    routers: list[RouterDoc] = _objects("What happens when a number is called.")
    webhook_subscriptions: list[WebhookSubscriptionDoc] = _objects(
        "Signed event deliveries, each known by its URL."
    )


# The kinds in the order they are created: each refers only to kinds before it (a team's
# default escalation policy is set after the policies, see apply.py).
KINDS: tuple[str, ...] = (
    "urgencies",
    "members",
    "contacts",
    "sip_trunks",
    "bots",
    "teams",
    "schedules",
    "escalation_policies",
    "services",
    "routers",
    "webhook_subscriptions",
)

# What each kind is called in a message.
NOUNS = {
    "urgencies": "urgency",
    "members": "member",
    "contacts": "contact",
    "sip_trunks": "SIP trunk",
    "bots": "bot",
    "teams": "team",
    "schedules": "schedule",
    "escalation_policies": "escalation policy",
    "services": "service",
    "routers": "router",
    "webhook_subscriptions": "webhook subscription",
    "connections": "provider connection",
    "numbers": "phone number",
}


def key_of(kind: str, obj: object) -> str:
    """What names an object of ``kind``: its name, or a webhook subscription's URL."""
    return str(getattr(obj, "url" if kind == "webhook_subscriptions" else "name"))


def objects_of(document: Document, kind: str) -> list[RequestModel]:
    return list(getattr(document, kind))
