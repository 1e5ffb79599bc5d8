from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import RequestModel, ResponseModel, StrictInt, StrictStr


class UrgencyCreate(RequestModel):
    name: StrictStr = Field(min_length=1, max_length=100)
    description: StrictStr = Field(default="", max_length=2000)
    position: StrictInt | None = Field(
        default=None, ge=0, le=1000, description="0 is the most urgent; default: after the others."
    )


class UrgencyUpdate(RequestModel):
    name: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    description: StrictStr | None = Field(default=None, max_length=2000)
    position: StrictInt | None = Field(default=None, ge=0, le=1000)


class UrgencyOut(ResponseModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str
    position: int
    built_in: bool
    created_at: datetime
    updated_at: datetime


class UrgencyListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("position", "name", "created_at")
    default_sort: ClassVar[str] = "position"
    built_in: bool | None = None
    slug: StrictStr | None = None
