from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictStr

MAX_TEAM_MEMBERS = 500


class TeamCreate(RequestModel):
    name: Name
    description: StrictStr = Field(default="", max_length=2000)
    member_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_TEAM_MEMBERS,
        description="Members in the order the team rings them.",
    )
    default_escalation_policy_id: uuid.UUID | None = None


class TeamUpdate(RequestModel):
    name: Name | None = None
    description: StrictStr | None = Field(default=None, max_length=2000)
    member_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_TEAM_MEMBERS)
    default_escalation_policy_id: uuid.UUID | None = None


class TeamOut(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    member_ids: list[uuid.UUID]
    default_escalation_policy_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class TeamListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
    name: StrictStr | None = None
    member_id: uuid.UUID | None = Field(default=None, description="Teams this member is in.")
