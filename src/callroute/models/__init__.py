"""ORM tables, one module per aggregate. Importing this package registers them all."""

from callroute.models.alert import Alert
from callroute.models.api_key import ApiKey
from callroute.models.call import Call, CallEffect, CallEvent, CallLeg, Recording
from callroute.models.console import ConsoleSession
from callroute.models.contact import Contact, ContactPhone
from callroute.models.escalation import EscalationLevel, EscalationPolicy, EscalationTarget
from callroute.models.inbox import InboxEvent
from callroute.models.member import Member, MemberPhone
from callroute.models.project import Project, ProjectCounter
from callroute.models.revision import Revision
from callroute.models.router import Router
from callroute.models.schedule import (
    Schedule,
    ScheduleLayer,
    ScheduleLayerMember,
    ScheduleOverride,
)
from callroute.models.service import Service, Urgency
from callroute.models.team import Team, TeamMember
from callroute.models.telephony import Bot, PhoneNumber, ProviderConnection, SipTrunk
from callroute.models.timer import Timer
from callroute.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "Alert",
    "ApiKey",
    "Bot",
    "Call",
    "CallEffect",
    "CallEvent",
    "CallLeg",
    "ConsoleSession",
    "Contact",
    "ContactPhone",
    "EscalationLevel",
    "EscalationPolicy",
    "EscalationTarget",
    "InboxEvent",
    "Member",
    "MemberPhone",
    "PhoneNumber",
    "Project",
    "ProjectCounter",
    "ProviderConnection",
    "Recording",
    "Revision",
    "Router",
    "Schedule",
    "ScheduleLayer",
    "ScheduleLayerMember",
    "ScheduleOverride",
    "Service",
    "SipTrunk",
    "Team",
    "TeamMember",
    "Timer",
    "Urgency",
    "WebhookDelivery",
    "WebhookSubscription",
]
