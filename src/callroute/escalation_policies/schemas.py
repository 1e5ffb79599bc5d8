from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictInt, StrictStr
from callroute.engine.escalation import RingStrategy, TargetKind

MAX_LEVELS = 20
MAX_TARGETS = 20
# Positions need not be contiguous (a layer that writes one level at a time may leave gaps);
# a bound keeps them sane.
MAX_POSITION = 999
# A hundred passes is "keep trying"; ringing.deadline_seconds bounds how long a caller waits.
MAX_REPEAT = 100


class TargetIn(RequestModel):
    type: TargetKind = Field(description="member, team, or schedule (whoever is on call then)")
    id: uuid.UUID


# A level's fields, the same in a whole level and in a change to one.
LevelName = Annotated[StrictStr, Field(max_length=200)]
LevelDescription = Annotated[StrictStr, Field(max_length=2000)]
LevelTargets = Annotated[list[TargetIn], Field(min_length=1, max_length=MAX_TARGETS)]
RingTimeout = Annotated[StrictInt, Field(ge=5, le=600)]
LevelDelay = Annotated[StrictInt, Field(ge=0, le=3600)]

_STRATEGY = (
    "sequential: one responder after another; simultaneous: all at once; "
    "random: one after another in a random order"
)
_RING_TIMEOUT = "How long each attempt rings before giving up."
_DELAY = "Pause after this level is exhausted, before the next level starts."


class LevelIn(RequestModel):
    name: LevelName = Field(default="", description="e.g. Primary on-call")
    description: LevelDescription = ""
    targets: LevelTargets
    strategy: RingStrategy = Field(default=RingStrategy.SEQUENTIAL, description=_STRATEGY)
    ring_timeout_seconds: RingTimeout = Field(default=30, description=_RING_TIMEOUT)
    delay_seconds: LevelDelay = Field(default=0, description=_DELAY)


class LevelUpdate(RequestModel):
    """A change to one level of a policy: the fields given replace the level's, the others
    stay (``PolicyService.update_level``)."""

    name: LevelName | None = None
    description: LevelDescription | None = None
    targets: LevelTargets | None = None
    strategy: RingStrategy | None = Field(default=None, description=_STRATEGY)
    ring_timeout_seconds: RingTimeout | None = Field(default=None, description=_RING_TIMEOUT)
    delay_seconds: LevelDelay | None = Field(default=None, description=_DELAY)


class PolicyFields(RequestModel):
    """A policy apart from its levels."""

    name: Name
    description: StrictStr = Field(default="", max_length=2000)
    repeat_count: StrictInt = Field(
        default=0,
        ge=0,
        le=MAX_REPEAT,
        description="How many more times the whole policy runs when nobody answered.",
    )


class PolicyCreate(PolicyFields):
    levels: list[LevelIn] = Field(min_length=1, max_length=MAX_LEVELS)


class PolicyUpdate(RequestModel):
    name: Name | None = None
    description: StrictStr | None = Field(default=None, max_length=2000)
    repeat_count: StrictInt | None = Field(default=None, ge=0, le=MAX_REPEAT)
    levels: list[LevelIn] | None = Field(default=None, min_length=1, max_length=MAX_LEVELS)


class TargetOut(ResponseModel):
    type: TargetKind = Field(validation_alias="kind")
    id: uuid.UUID = Field(validation_alias="target_id")


class LevelOut(ResponseModel):
    name: str
    description: str
    strategy: RingStrategy
    ring_timeout_seconds: int
    delay_seconds: int
    targets: list[TargetOut]


class PolicyOut(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    repeat_count: int
    levels: list[LevelOut]
    created_at: datetime
    updated_at: datetime


class PolicyListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
    name: StrictStr | None = None
    target_id: uuid.UUID | None = Field(
        default=None, description="Policies that target this member, team or schedule."
    )


class OnCallQuery(RequestModel):
    at: AwareDatetime | None = Field(default=None, description="Default: now.")


class ResponderOut(ResponseModel):
    member_id: uuid.UUID
    name: str
    numbers: list[str]


class UnresolvedOut(ResponseModel):
    type: TargetKind
    id: uuid.UUID
    reason: str
    member_id: uuid.UUID | None = Field(
        default=None, description="The member who could not be rung, when there is one."
    )


class ResolvedLevelOut(ResponseModel):
    level: int = Field(description="1-based level number")
    strategy: RingStrategy
    ring_timeout_seconds: int
    delay_seconds: int
    responders: list[ResponderOut]
    unresolved: list[UnresolvedOut]


class ResolvedPolicyOut(ResponseModel):
    at: datetime
    repeat_count: int
    nobody_available: bool
    levels: list[ResolvedLevelOut]
