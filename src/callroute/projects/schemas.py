from __future__ import annotations

import uuid
from datetime import datetime

from callroute.api.schemas import Name, RequestModel, ResponseModel


class ProjectUpdate(RequestModel):
    name: Name | None = None


class ProjectOut(ResponseModel):
    id: uuid.UUID
    name: str
    slug: str
    created_at: datetime
    updated_at: datetime
