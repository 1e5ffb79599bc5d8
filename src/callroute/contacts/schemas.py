from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from callroute.api.pagination import ListQuery
from callroute.api.schemas import E164, Name, RequestModel, ResponseModel, StrictStr

MAX_PHONES = 10
MAX_LABELS = 20


class ContactPhoneIn(RequestModel):
    number: E164
    label: StrictStr = Field(default="mobile", min_length=1, max_length=40)


class ContactPhoneOut(ResponseModel):
    number: str
    label: str


class ContactCreate(RequestModel):
    name: Name
    phones: list[ContactPhoneIn] = Field(default_factory=list, max_length=MAX_PHONES)
    labels: list[StrictStr] = Field(
        default_factory=list,
        max_length=MAX_LABELS,
        description="Tags such as `vip`; lower-cased, letters, digits, `-` and `_`.",
    )
    external_id: StrictStr | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Your system's id for this caller (CRM, helpdesk); unique per project.",
    )
    notes: StrictStr = Field(default="", max_length=5000)


class ContactUpdate(RequestModel):
    name: Name | None = None
    phones: list[ContactPhoneIn] | None = Field(default=None, max_length=MAX_PHONES)
    labels: list[StrictStr] | None = Field(default=None, max_length=MAX_LABELS)
    external_id: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    notes: StrictStr | None = Field(default=None, max_length=5000)


class ContactOut(ResponseModel):
    id: uuid.UUID
    name: str
    phones: list[ContactPhoneOut]
    labels: list[str]
    external_id: str | None
    notes: str
    created_at: datetime
    updated_at: datetime


class ContactListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "name")
    phone: E164 | None = Field(default=None, description="Contacts with this number.")
    label: StrictStr | None = None
    external_id: StrictStr | None = None


class ContactLookupQuery(RequestModel):
    phone: E164
