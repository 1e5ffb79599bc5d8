"""A router in the document: the router API's pipeline (routers/schemas.py), with every id
replaced by a name.

Only the parts that hold an id are written again here (an action, a menu option, the menu,
business hours, outbound calls); the rest are the router API's own models. The rules that
tie an action's fields to its type live in the router API's models and are checked on the
translated router (translate.py), so they are never written twice.
"""

from __future__ import annotations

from pydantic import Field

from callroute.api.schemas import E164, Name, RequestModel, StrictBool, StrictInt, StrictStr
from callroute.engine.callflow.model import ActionKind, OutboundMode
from callroute.engine.escalation import RingStrategy
from callroute.routers.schemas import (
    MAX_LABELS,
    AlertIn,
    BusinessHoursIn,
    Description,
    MenuIn,
    MenuOptionIn,
    PromptIn,
    RouterConfig,
    TargetType,
)

UrgencyName = StrictStr  # an urgency's name, as declared under `urgencies` (High, Medium, ...)


class TargetRef(RequestModel):
    type: TargetType
    name: Name = Field(description="The name of the escalation policy, service, team, ...")


class ActionDoc(RequestModel):
    type: ActionKind
    label: StrictStr | None = Field(default=None, max_length=200)
    target: TargetRef | None = Field(
        default=None,
        description="ring: who to ring; voicemail (optional): whose voicemail it is",
    )
    strategy: RingStrategy = RingStrategy.SEQUENTIAL
    ring_timeout_seconds: StrictInt = Field(default=30, ge=5, le=600)
    number: E164 | None = Field(default=None, description="forward: the number to connect")
    sip_trunk: Name | None = Field(default=None, description="sip: the SIP trunk's name")
    bot: Name | None = Field(default=None, description="bot: the bot's name")
    message: PromptIn | None = Field(default=None, description="message: what to say")
    urgency: UrgencyName | None = Field(
        default=None, max_length=100, description="The alert's urgency for this choice, by name."
    )


class MenuOptionDoc(MenuOptionIn):
    action: ActionDoc  # type: ignore[assignment]


class MenuDoc(MenuIn):
    options: list[MenuOptionDoc] = Field(min_length=1, max_length=9)  # type: ignore[assignment]


class BusinessHoursDoc(BusinessHoursIn):
    after_hours_action: ActionDoc  # type: ignore[assignment]


class AlertDoc(AlertIn):
    urgency: UrgencyName | None = Field(
        default=None, max_length=100, description="The alert's urgency, by name."
    )


class OutboundDoc(RequestModel):
    mode: OutboundMode
    sip_trunk: Name | None = Field(default=None, description="sip: the SIP trunk's name")
    bot: Name | None = Field(default=None, description="bot: the bot's name")
    ring_timeout_seconds: StrictInt = Field(default=30, ge=5, le=600)


class RouterDoc(RouterConfig):
    """A router, named; its numbers by their E.164 form, its connection by name."""

    name: Name
    enabled: StrictBool = True
    description: Description = ""
    labels: list[StrictStr] = Field(default_factory=list, max_length=MAX_LABELS)
    connection: Name | None = Field(
        default=None,
        description="The provider connection's name (connections keep their "
        "credentials out of the document; create them through the API).",
    )
    numbers: list[E164] = Field(
        default_factory=list,
        max_length=50,
        description="The phone numbers the router answers; each must be one of the project's "
        "numbers already (claimed or added through the API).",
    )
    menu: MenuDoc | None = None
    action: ActionDoc | None = None  # type: ignore[assignment]
    business_hours: BusinessHoursDoc | None = None
    alert: AlertDoc = Field(default_factory=AlertDoc)
    outbound: OutboundDoc | None = None  # type: ignore[assignment]
