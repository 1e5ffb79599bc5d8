"""ORM tables, one module per aggregate. Importing this package registers them all."""

from callroute.models.api_key import ApiKey
from callroute.models.contact import Contact, ContactPhone
from callroute.models.escalation import EscalationLevel, EscalationPolicy, EscalationTarget
from callroute.models.member import Member, MemberPhone
from callroute.models.project import Project
from callroute.models.schedule import (
    Schedule,
    ScheduleLayer,
    ScheduleLayerMember,
    ScheduleOverride,
)
from callroute.models.service import Service, Urgency
from callroute.models.team import Team, TeamMember

__all__ = [
    "ApiKey",
    "Contact",
    "ContactPhone",
    "EscalationLevel",
    "EscalationPolicy",
    "EscalationTarget",
    "Member",
    "MemberPhone",
    "Project",
    "Schedule",
    "ScheduleLayer",
    "ScheduleLayerMember",
    "ScheduleOverride",
    "Service",
    "Team",
    "TeamMember",
    "Urgency",
]
