"""The router document: the pipeline of design.md §3, validated as users expect.

Each part is optional except the action (or a menu of actions). Limits are bounded so that a
router can never make a caller wait for ever or a responder be rung without end.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from callroute.api.pagination import ListQuery
from callroute.api.schemas import (
    E164,
    Name,
    RequestModel,
    ResponseModel,
    StrictBool,
    StrictInt,
    StrictStr,
    TimeZoneName,
)
from callroute.engine.callflow.model import ActionKind, CallerId, Fallback, OutboundMode, RingMode
from callroute.engine.escalation import RingStrategy
from callroute.escalation_policies.schemas import MAX_REPEAT
from callroute.schedules.schemas import Weekday

HttpUrl = Annotated[StrictStr, Field(max_length=1000, pattern=r"^https?://\S+$")]
Language = Annotated[StrictStr, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
Digit = Literal["1", "2", "3", "4", "5", "6", "7", "8", "9"]


class PromptIn(RequestModel):
    """Text read by text-to-speech, or an audio file played: exactly one of the two."""

    text: StrictStr | None = Field(default=None, min_length=1, max_length=2000)
    audio_url: HttpUrl | None = None
    voice: StrictStr | None = Field(default=None, max_length=60)
    language: Language = "en-US"

    @model_validator(mode="after")
    def _one_source(self) -> PromptIn:
        if (self.text is None) == (self.audio_url is None):
            raise ValueError("give exactly one of `text` or `audio_url`")
        return self


class TargetType(StrEnum):
    ESCALATION_POLICY = "escalation_policy"
    SERVICE = "service"
    TEAM = "team"
    SCHEDULE = "schedule"
    MEMBER = "member"


class TargetIn(RequestModel):
    type: TargetType
    id: uuid.UUID


class ActionIn(RequestModel):
    type: ActionKind
    label: StrictStr | None = Field(default=None, max_length=200)
    target: TargetIn | None = Field(
        default=None,
        description="ring: who to ring; voicemail (optional): whose voicemail it is, "
        "the target the call's alert is raised for",
    )
    strategy: RingStrategy = Field(
        default=RingStrategy.SEQUENTIAL,
        description="ring a team, schedule or member: how (a policy brings its own levels)",
    )
    ring_timeout_seconds: StrictInt = Field(default=30, ge=5, le=600)
    number: E164 | None = Field(default=None, description="forward: the number to connect")
    sip_trunk_id: uuid.UUID | None = None
    bot_id: uuid.UUID | None = None
    message: PromptIn | None = Field(default=None, description="message: what to say")
    urgency: StrictStr | None = Field(
        default=None, max_length=100, description="alert urgency slug for this choice"
    )

    @model_validator(mode="after")
    def _fields_for_kind(self) -> ActionIn:
        needed = {
            ActionKind.RING: "target",
            ActionKind.FORWARD: "number",
            ActionKind.SIP: "sip_trunk_id",
            ActionKind.BOT: "bot_id",
            ActionKind.MESSAGE: "message",
        }
        for kind, name in needed.items():
            given = getattr(self, name) is not None
            if kind == self.type and not given:
                raise ValueError(f"a {kind.value} action needs `{name}`")
            # A voicemail may name a target: the team or service the message is left for.
            optional = name == "target" and self.type == ActionKind.VOICEMAIL
            if kind != self.type and given and not optional:
                raise ValueError(f"`{name}` does not apply to a {self.type.value} action")
        return self


class MenuOptionIn(RequestModel):
    digit: Digit
    action: ActionIn


class MenuIn(RequestModel):
    prompt: PromptIn
    options: list[MenuOptionIn] = Field(min_length=1, max_length=9)
    timeout_seconds: StrictInt = Field(default=5, ge=1, le=30)
    max_attempts: StrictInt = Field(default=3, ge=1, le=5)
    default_digit: Digit | None = None
    invalid_prompt: PromptIn | None = None
    skip_single_option: StrictBool = Field(
        default=False,
        description="With exactly one option, take it without asking; the prompt is kept "
        "for when more options are added.",
    )

    @model_validator(mode="after")
    def _digits(self) -> MenuIn:
        digits = [o.digit for o in self.options]
        for index, digit in enumerate(digits):
            if digit in digits[:index]:
                raise ValueError(f"options[{index}].digit {digit} is used twice")
        if self.default_digit is not None and self.default_digit not in digits:
            raise ValueError(f"default_digit {self.default_digit} is not one of the options")
        return self


class ScreeningIn(RequestModel):
    blocklist: list[E164] = Field(default_factory=list, max_length=1000)
    allowlist: list[E164] | None = Field(
        default=None, max_length=1000, description="When set, only these callers get through."
    )
    blocked_message: PromptIn | None = None
    not_allowed_message: PromptIn | None = None
    pin: StrictStr | None = Field(default=None, pattern=r"^[0-9]{4,10}$")
    pin_prompt: PromptIn | None = None
    pin_attempts: StrictInt = Field(default=3, ge=1, le=5)


class HoursWindowIn(RequestModel):
    days: list[Weekday] = Field(min_length=1, max_length=7)
    start: time
    end: time = Field(description="An end at or before the start runs past midnight.")


class BusinessHoursIn(RequestModel):
    time_zone: TimeZoneName
    windows: list[HoursWindowIn] = Field(min_length=1, max_length=50)
    after_hours_action: ActionIn


class RingingIn(RequestModel):
    mode: RingMode = Field(
        default=RingMode.DIAL,
        description="dial: ringback while responders are dialled; hold: "
        "music while they are called out of band, bridged on acceptance",
    )
    hold_music_url: HttpUrl | None = None
    require_accept: StrictBool = Field(
        default=True,
        description="Responders press 1 to accept: a voicemail pickup never counts as an answer.",
    )
    accept_prompt: PromptIn | None = None
    between_attempts_message: PromptIn | None = Field(
        default=None, description="Said to the caller when a responder did not answer."
    )
    deadline_seconds: StrictInt | None = Field(
        default=None, ge=10, le=3600, description="After this long ringing, go to the fallback."
    )
    level_delay_seconds: StrictInt | None = Field(
        default=None, ge=0, le=3600, description="Overrides every level's delay for calls."
    )
    repeat_count: StrictInt | None = Field(
        default=None,
        ge=0,
        le=MAX_REPEAT,
        description="Overrides the policy's repeat count for calls.",
    )
    caller_id: CallerId = CallerId.CALLER


class VoicemailIn(RequestModel):
    greeting: PromptIn | None = None
    max_length_seconds: StrictInt = Field(default=120, ge=5, le=600)
    transcribe: StrictBool = True


class AlertIn(RequestModel):
    enabled: StrictBool = True
    urgency: StrictStr | None = Field(default=None, max_length=100)
    auto_resolve_on_call_end: StrictBool = False


class OutboundIn(RequestModel):
    """What a call placed from one of the router's numbers is connected to once the called
    party answers."""

    mode: OutboundMode = Field(
        description="sip: bridge to `sip_trunk_id`; bot: stream to `bot_id`; answer_only: "
        "connect nothing (the call stays up until someone hangs up)"
    )
    sip_trunk_id: uuid.UUID | None = None
    bot_id: uuid.UUID | None = None
    ring_timeout_seconds: StrictInt = Field(
        default=30, ge=5, le=600, description="How long the called party's phone rings."
    )

    @model_validator(mode="after")
    def _target_for_mode(self) -> OutboundIn:
        needed = {OutboundMode.SIP: "sip_trunk_id", OutboundMode.BOT: "bot_id"}
        for mode, name in needed.items():
            given = getattr(self, name) is not None
            if mode == self.mode and not given:
                raise ValueError(f"the {mode.value} outbound mode needs `{name}`")
            if mode != self.mode and given:
                raise ValueError(f"`{name}` does not apply to the {self.mode.value} outbound mode")
        return self


class RouterConfig(RequestModel):
    """Everything but the name, the switch and the numbers: stored as one document."""

    greeting: PromptIn | None = None
    screening: ScreeningIn = Field(default_factory=ScreeningIn)
    business_hours: BusinessHoursIn | None = None
    menu: MenuIn | None = None
    action: ActionIn | None = None
    ringing: RingingIn = Field(default_factory=RingingIn)
    voicemail: VoicemailIn = Field(default_factory=VoicemailIn)
    fallback: Fallback = Fallback.VOICEMAIL
    no_answer_message: PromptIn | None = None
    no_one_available_message: PromptIn | None = None
    alert: AlertIn = Field(default_factory=AlertIn)
    outbound: OutboundIn | None = Field(
        default=None,
        description="Calls placed from the router's numbers; none can be placed without it.",
    )


CONFIG_FIELDS = tuple(RouterConfig.model_fields)


MAX_LABELS = 20

Description = Annotated[StrictStr, Field(max_length=2000)]
Labels = Annotated[
    list[StrictStr],
    Field(
        max_length=MAX_LABELS,
        description="Tags such as `billing`; lower-cased, letters, digits, `-` and `_`.",
    ),
]


class RouterCreate(RouterConfig):
    name: Name
    enabled: StrictBool = True
    description: Description = ""
    labels: Labels = Field(default_factory=list)
    connection_id: uuid.UUID | None = Field(
        default=None,
        description="The provider connection the router's numbers come from; when set, every "
        "number attached must belong to it.",
    )
    phone_number_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class RouterUpdate(RequestModel):
    """Partial: each top-level field sent replaces the stored one; the result is validated
    as a whole, so a PATCH can never leave a router that a create would refuse."""

    name: Name | None = None
    enabled: StrictBool | None = None
    description: Description | None = None
    labels: Labels | None = None
    connection_id: uuid.UUID | None = Field(default=None, description="null clears it.")
    phone_number_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    greeting: PromptIn | None = None
    screening: ScreeningIn | None = None
    business_hours: BusinessHoursIn | None = None
    menu: MenuIn | None = None
    action: ActionIn | None = None
    ringing: RingingIn | None = None
    voicemail: VoicemailIn | None = None
    fallback: Fallback | None = None
    no_answer_message: PromptIn | None = None
    no_one_available_message: PromptIn | None = None
    alert: AlertIn | None = None
    outbound: OutboundIn | None = None


class PhoneNumberRef(ResponseModel):
    id: uuid.UUID
    number: str


class RouterOut(RouterConfig):
    """The same shape as a create request, plus identity: what was written reads back."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    handle: int = Field(description="Integer id, unique in the project (VoiceLink routing id).")
    name: str
    slug: str
    enabled: bool
    description: str
    labels: list[str]
    connection_id: uuid.UUID | None
    phone_numbers: list[PhoneNumberRef]
    created_at: datetime
    updated_at: datetime


class RouterListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at", "name")
    name: StrictStr | None = None
    enabled: bool | None = None
    label: StrictStr | None = Field(default=None, description="Routers with this label.")
