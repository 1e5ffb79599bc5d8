from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import AwareDatetime, Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import Name, RequestModel, ResponseModel, StrictStr
from callroute.auth.permissions import Role


class ApiKeyCreate(RequestModel):
    name: Name
    role: Role | None = Field(
        default=None, description="Grant a role's permissions. Give a role or `permissions`."
    )
    permissions: list[StrictStr] | None = Field(
        default=None,
        max_length=100,
        description="Explicit permissions such as `routers:read` (write implies read).",
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the key stops working; never when omitted."
    )


class ApiKeyOut(ResponseModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The visible start of the key, to recognise it.")
    role: Role | None
    permissions: list[str] | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret. Shown only in this response; store it now.")


class ApiKeyListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
    revoked: bool | None = Field(default=None, description="Only revoked (true) or live keys.")
    role: Role | None = None
