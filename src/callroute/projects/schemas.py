from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictBool


class ProjectUpdate(RequestModel):
    name: Name | None = None
    require_verified_numbers: StrictBool | None = Field(
        default=None, description="Ring only phone numbers marked verified."
    )
    webhooks_allow_http: StrictBool | None = Field(
        default=None, description="Allow outgoing webhooks to plain http:// URLs (not only https)."
    )


class ProjectOut(ResponseModel):
    id: uuid.UUID
    name: str
    slug: str
    require_verified_numbers: bool
    webhooks_allow_http: bool
    created_at: datetime
    updated_at: datetime
