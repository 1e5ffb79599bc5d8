"""What a client may write to an escalation rule."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from callroute.api.schemas import RequestModel, StrictInt, StrictStr

MAX_ORDER = 1000  # orders may have gaps; a bound keeps them sane
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
    "user_id": ("userId", "member"),
    "team_id": ("teamId", "team"),
    "on_call_duty_policy_schedule_id": ("onCallDutyPolicyScheduleId", "schedule"),
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
    escalate_after_seconds: StrictInt | None = Field(
        default=None, ge=5, le=600, description="How long the rule's person rings."
    )
    user_id: uuid.UUID | None = None
    # Not in OneUptime's model (its docs mention teams; its rules cannot name one): a team is
    # rung one member after another, like a rule of its own per member.
    team_id: uuid.UUID | None = None
    on_call_duty_policy_schedule_id: uuid.UUID | None = None
