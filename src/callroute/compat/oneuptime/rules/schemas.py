"""What a client may write to an escalation rule."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from callroute.api.schemas import RequestModel, StrictInt, StrictStr
from callroute.engine.escalation import TargetKind
from callroute.escalation_policies.schemas import MAX_POSITION

# A rule's order is its level's position numbered from 1: the core's positions, in OneUptime's
# numbering, so that a bad order is said with the numbers the client sent.
MAX_ORDER = MAX_POSITION + 1
DEFAULT_ESCALATE_AFTER = 30  # OneUptime's column default: how long each rule rings

READ_ONLY = frozenset(
    {
        "_id",
        "createdAt",
        "updatedAt",
        "project",
        "incomingCallPolicy",
        "user",
        "team",
        "onCallDutyPolicySchedule",
        "createdByUser",
        "createdByUserId",
    }
)
# Set when the rule is created, never moved to another policy or project afterwards.
CREATE_ONLY = frozenset({"incomingCallPolicyId", "projectId"})

# The target attributes, their OneUptime columns and the native target kind of each.
TARGETS = {
    "user_id": ("userId", TargetKind.MEMBER),
    "team_id": ("teamId", TargetKind.TEAM),
    "on_call_duty_policy_schedule_id": ("onCallDutyPolicyScheduleId", TargetKind.SCHEDULE),
}
NO_TARGET = "Either a User, a Team or an On-Call Schedule must be specified for the escalation rule"
TWO_TARGETS = "Only one of User, Team or On-Call Schedule can be specified, not both"


class RuleData(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, alias_generator=to_camel)

    project_id: uuid.UUID | None = None
    incoming_call_policy_id: uuid.UUID | None = None
    name: Annotated[StrictStr, Field(max_length=100)] | None = None
    description: Annotated[StrictStr, Field(max_length=500)] | None = None
    order: StrictInt | None = Field(default=None, ge=1, le=MAX_ORDER)
    # The level's ring timeout: its range is the core's (LevelIn), said as this column.
    escalate_after_seconds: StrictInt | None = Field(
        default=None, description="How long the rule's person rings."
    )
    user_id: uuid.UUID | None = None
    # Not in OneUptime's model (its docs mention teams; its rules cannot name one): a team is
    # rung one member after another, like a rule of its own per member.
    team_id: uuid.UUID | None = None
    on_call_duty_policy_schedule_id: uuid.UUID | None = None
