"""Rootly's ``live_call_routers`` resource: its enums, limits and request documents.

The published OpenAPI schema is the authority: attributes reject unknown keys, create requires
``kind``, ``name``, ``country_code``, ``phone_type``, ``voicemail_greeting`` and
``paging_targets``, and update requires nothing and has no ``phone_number``. Where callroute's
engine bounds a value (delays, text lengths) the bound is checked here, so the error names the
attribute the client sent.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from callroute.api.schemas import (
    Name,
    RequestModel,
    StrictBool,
    StrictInt,
    StrictStr,
    normalise_phone,
)

RESOURCE_TYPE = "live_call_routers"


class Kind(StrEnum):
    VOICEMAIL = "voicemail"
    LIVE = "live"


class CountryCode(StrEnum):
    AU = "AU"
    CA = "CA"
    DE = "DE"
    NL = "NL"
    NZ = "NZ"
    SE = "SE"
    CH = "CH"
    GB = "GB"
    US = "US"


class PhoneType(StrEnum):
    LOCAL = "local"
    TOLL_FREE = "toll_free"
    MOBILE = "mobile"


class PagingTargetType(StrEnum):
    SERVICE = "service"
    TEAM = "team"
    ESCALATION_POLICY = "escalation_policy"
    FUNCTIONALITY = "functionality"


class TriggerType(StrEnum):
    """Create documents spell the legacy trigger's type in lower case, update documents and
    responses in CamelCase; both spellings are accepted everywhere."""

    SERVICE = "service"
    GROUP = "group"
    ESCALATION_POLICY = "escalation_policy"
    FUNCTIONALITY = "functionality"
    SERVICE_CLASS = "Service"
    GROUP_CLASS = "Group"
    ESCALATION_POLICY_CLASS = "EscalationPolicy"
    FUNCTIONALITY_CLASS = "Functionality"


# The trigger's "group" is what paging targets call a "team".
TRIGGER_TARGETS: dict[TriggerType, PagingTargetType] = {
    TriggerType.SERVICE: PagingTargetType.SERVICE,
    TriggerType.SERVICE_CLASS: PagingTargetType.SERVICE,
    TriggerType.GROUP: PagingTargetType.TEAM,
    TriggerType.GROUP_CLASS: PagingTargetType.TEAM,
    TriggerType.ESCALATION_POLICY: PagingTargetType.ESCALATION_POLICY,
    TriggerType.ESCALATION_POLICY_CLASS: PagingTargetType.ESCALATION_POLICY,
    TriggerType.FUNCTIONALITY: PagingTargetType.FUNCTIONALITY,
    TriggerType.FUNCTIONALITY_CLASS: PagingTargetType.FUNCTIONALITY,
}
TRIGGER_CLASS_NAMES: dict[PagingTargetType, str] = {
    PagingTargetType.SERVICE: "Service",
    PagingTargetType.TEAM: "Group",
    PagingTargetType.ESCALATION_POLICY: "EscalationPolicy",
    PagingTargetType.FUNCTIONALITY: "Functionality",
}
TRIGGER_LOWER_NAMES: dict[PagingTargetType, str] = {
    PagingTargetType.SERVICE: "service",
    PagingTargetType.TEAM: "group",
    PagingTargetType.ESCALATION_POLICY: "escalation_policy",
    PagingTargetType.FUNCTIONALITY: "functionality",
}

_MUSIC = "https://storage.rootly.com/twilio/voicemail/"
WAITING_MUSIC_URLS: tuple[str, ...] = tuple(
    _MUSIC + name
    for name in (
        "ClockworkWaltz.mp3",
        "ith_brahms-116-4.mp3",
        "Mellotroniac_-_Flight_Of_Young_Hearts_Flute.mp3",
        "BusyStrings.mp3",
        "oldDog_-_endless_goodbye_%28instr.%29.mp3",
        "MARKOVICHAMP-Borghestral.mp3",
        "ith_chopin-15-2.mp3",
    )
)
DEFAULT_WAITING_MUSIC_URL = WAITING_MUSIC_URLS[0]
# Rootly gives a router created without a caller greeting one of its own (its text is not
# documented). callroute's router says no greeting unless given one, so a create writes this
# one: what reads back is what callers hear.
DEFAULT_CALLER_GREETING = "Thank you for calling."

# Menu digits are 1-9 and `*` repeats, so a calling tree offers at most nine targets.
MAX_PAGING_TARGETS = 9
# callroute's engine bounds, the same as the native router's.
MAX_PROMPT_LENGTH = 2000
DEADLINE_RANGE = (10, 3600)
LEVEL_DELAY_RANGE = (0, 3600)


def _waiting_music(value: str) -> str:
    if value not in WAITING_MUSIC_URLS:
        raise ValueError(
            "must be one of the approved waiting music URLs: " + ", ".join(WAITING_MUSIC_URLS)
        )
    return value


def _rootly_phone(value: str) -> str:
    """Rootly returns numbers with or without the ``+``; both are read as international."""
    return normalise_phone(value if value.startswith("+") else f"+{value}")


def _blank_is_unset(value: str | None) -> str | None:
    # Rootly documents a blank unavailable-responder message as "use the default message".
    return value or None


def _blank_id_is_unset(value: Any) -> Any:
    # Rootly's Terraform provider sends "" for a paging target's urgency left unset.
    return None if value == "" else value


Prompt = Annotated[StrictStr, Field(min_length=1, max_length=MAX_PROMPT_LENGTH)]
WaitingMusicUrl = Annotated[StrictStr, AfterValidator(_waiting_music)]
RootlyPhone = Annotated[StrictStr, Field(max_length=40), AfterValidator(_rootly_phone)]
Deadline = Annotated[StrictInt, Field(ge=DEADLINE_RANGE[0], le=DEADLINE_RANGE[1])]
LevelDelay = Annotated[StrictInt, Field(ge=LEVEL_DELAY_RANGE[0], le=LEVEL_DELAY_RANGE[1])]
UrgencyId = Annotated[uuid.UUID | None, BeforeValidator(_blank_id_is_unset)]
ResponderMessage = Annotated[
    StrictStr | None, Field(max_length=300), AfterValidator(_blank_is_unset)
]


class PagingTargetIn(RequestModel):
    id: uuid.UUID
    type: PagingTargetType
    alert_urgency_id: UrgencyId = Field(
        default=None, description="Required unless the router has an alert_urgency_id."
    )


class TriggerParamsIn(RequestModel):
    id: uuid.UUID
    type: TriggerType

    @property
    def target_type(self) -> PagingTargetType:
        return TRIGGER_TARGETS[self.type]


class AttributesIn(RequestModel):
    """Every writable attribute, all optional: the update document."""

    kind: Kind | None = None
    enabled: StrictBool | None = None
    name: Name | None = None
    country_code: CountryCode | None = None
    phone_type: PhoneType | None = None
    voicemail_greeting: Prompt | None = None
    caller_greeting: Prompt | None = None
    unavailable_responder_message: ResponderMessage = None
    waiting_music_url: WaitingMusicUrl | None = None
    sent_to_voicemail_delay: Deadline | None = None
    should_redirect_to_voicemail_on_no_answer: StrictBool | None = None
    escalation_level_delay_in_seconds: LevelDelay | None = None
    should_auto_resolve_alert_on_call_end: StrictBool | None = None
    notify_via_sms: StrictBool | None = None
    notify_via_push_notification: StrictBool | None = None
    informational_notification_message: StrictStr | None = Field(default=None, max_length=160)
    alert_urgency_id: UrgencyId = None
    calling_tree_enabled: StrictBool | None = None
    calling_tree_prompt: Prompt | None = None
    paging_targets: list[PagingTargetIn] | None = Field(
        default=None, min_length=1, max_length=MAX_PAGING_TARGETS
    )
    escalation_policy_trigger_params: TriggerParamsIn | None = None

    @field_validator("notify_via_sms", "notify_via_push_notification")
    @classmethod
    def _no_notifications(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError(
                "callroute does not send SMS or push notifications to responders; it rings "
                "them (send false or leave it out)"
            )
        return value

    @field_validator("informational_notification_message")
    @classmethod
    def _no_notification_text(cls, value: str | None) -> str | None:
        if value:
            raise ValueError(
                "callroute sends no SMS or push notifications for this text to go with "
                "(send null or leave it out)"
            )
        return None


class UpdateAttributes(AttributesIn):
    phone_number: Any = Field(default=None, description="Refused: the number is fixed.")

    @field_validator("phone_number")
    @classmethod
    def _number_is_fixed(cls, value: Any) -> None:
        raise ValueError(
            "a router's number cannot be changed after creation; create a new router for "
            "another number"
        )


class CreateAttributes(AttributesIn):
    kind: Kind
    name: Name
    country_code: CountryCode
    phone_type: PhoneType
    phone_number: RootlyPhone | None = Field(
        default=None,
        description="A number from generate_phone_number, or one the project owns; "
        "left out, any number of the country and type is claimed.",
    )
    voicemail_greeting: Prompt
    paging_targets: list[PagingTargetIn] = Field(min_length=1, max_length=MAX_PAGING_TARGETS)


class CreateData(RequestModel):
    type: Literal["live_call_routers"]
    attributes: CreateAttributes


class UpdateData(RequestModel):
    type: Literal["live_call_routers"]
    id: StrictStr | None = None
    attributes: UpdateAttributes


class CreateDocument(RequestModel):
    data: CreateData


class UpdateDocument(RequestModel):
    data: UpdateData


class GenerateNumberQuery(RequestModel):
    country_code: CountryCode
    phone_type: PhoneType
