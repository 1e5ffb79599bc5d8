from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictStr


class ServiceKind(StrEnum):
    SERVICE = "service"
    FUNCTIONALITY = "functionality"  # a user-facing capability (Rootly's term)


class ServiceCreate(RequestModel):
    name: Name
    description: StrictStr = Field(default="", max_length=2000)
    kind: ServiceKind = ServiceKind.SERVICE
    escalation_policy_id: uuid.UUID | None = None


class ServiceUpdate(RequestModel):
    name: Name | None = None
    description: StrictStr | None = Field(default=None, max_length=2000)
    kind: ServiceKind | None = None
    escalation_policy_id: uuid.UUID | None = None


class ServiceOut(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    kind: ServiceKind
    escalation_policy_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class ServiceListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
    kind: ServiceKind | None = None
    name: StrictStr | None = None
    escalation_policy_id: uuid.UUID | None = None
