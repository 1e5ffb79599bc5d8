"""What a client may write to an Incoming Call Policy, validated as OneUptime types it."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from callroute.api.schemas import E164, RequestModel, StrictBool, StrictInt, StrictStr

# OneUptime's column types: ShortText is varchar(100), LongText varchar(500).
ShortText = Annotated[StrictStr, Field(min_length=1, max_length=100)]
LongText = Annotated[StrictStr, Field(max_length=500)]

MAX_REPEAT_TIMES = 100  # the native escalation policy's bound

# OneUptime's column defaults: a policy created without them says these.
GREETING = "Please wait while we connect you to the on-call engineer."
NO_ANSWER = "No one is available. Please try again later."
NO_ONE_AVAILABLE = (
    "We are sorry, but no on-call engineer is currently available. "
    "Please try again later or contact support."
)
# What OneUptime says to the caller before dialling the next engineer.
NEXT_ENGINEER = "Connecting you to the next available engineer."

# Columns OneUptime computes or sets only through other endpoints; writing them is a 400.
READ_ONLY = frozenset(
    {
        "slug",
        "project",
        "callProviderPhoneNumberId",
        "phoneNumberCountryCode",
        "phoneNumberAreaCode",
        "phoneNumberPurchasedAt",
        "projectCallSMSConfig",
        "createdByUser",
        "createdByUserId",
        "createdAt",
        "updatedAt",
        "_id",
    }
)


class LabelRef(RequestModel):
    """A label by its id (one a policy of this project carries) or by its name."""

    id: uuid.UUID | None = Field(default=None, alias="_id")
    name: StrictStr | None = Field(default=None, max_length=40)


class PolicyData(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, alias_generator=to_camel)

    project_id: uuid.UUID | None = None
    name: ShortText | None = None
    description: LongText | None = None
    greeting_message: LongText | None = None
    no_answer_message: LongText | None = None
    no_one_available_message: LongText | None = None
    is_enabled: StrictBool | None = None
    repeat_policy_if_no_one_answers: StrictBool | None = None
    repeat_policy_if_no_one_answers_times: StrictInt | None = Field(
        default=None, ge=1, le=MAX_REPEAT_TIMES
    )
    labels: list[LabelRef] | None = Field(default=None, max_length=20)
    project_call_sms_config_id: uuid.UUID | None = Field(
        default=None, alias="projectCallSMSConfigId"
    )
    # Read-only in OneUptime (set by its phone-number endpoints, which callroute does not
    # serve); here writing it attaches one of the project's numbers, or claims a new one.
    routing_phone_number: E164 | None = None
