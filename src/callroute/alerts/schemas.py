"""What the alerts API takes and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import AwareDatetime, Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import RequestModel, ResponseModel, StrictStr


class AlertOut(ResponseModel):
    id: uuid.UUID
    call_id: uuid.UUID | None
    router_id: uuid.UUID | None
    summary: str
    status: str
    urgency: str | None
    target_type: str | None
    target_id: str | None
    acknowledged_by_id: uuid.UUID | None = Field(serialization_alias="acknowledged_by")
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolved_reason: str | None
    recording_url: str | None
    transcript: str | None
    created_at: datetime
    updated_at: datetime


class AlertListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at",)
    default_sort: ClassVar[str] = "-created_at"
    status: StrictStr | None = Field(default=None, pattern="^(triggered|acknowledged|resolved)$")
    router_id: uuid.UUID | None = None
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None


class ResolveIn(RequestModel):
    reason: StrictStr = Field(default="resolved by hand", max_length=500)
