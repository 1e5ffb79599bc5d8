"""vcita's VoiceCall vocabulary: enums, request bodies and the entity, as vcita spells them."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

import phonenumbers
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

T = TypeVar("T")


class Direction(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class VoiceCallStatus(StrEnum):
    INCOMING_CALL = "INCOMING_CALL"
    ANSWERED_BY_STAFF = "ANSWERED_BY_STAFF"
    MISSED = "MISSED"
    ANSWERED_BY_CALLS_PROVIDER = "ANSWERED_BY_CALLS_PROVIDER"
    MISSED_CALL_HANDLED = "MISSED_CALL_HANDLED"
    # vcita renamed VOICEMAIL_RECEIVED to VOICEMAIL; both are read, VOICEMAIL is written.
    VOICEMAIL = "VOICEMAIL"
    VOICEMAIL_RECEIVED = "VOICEMAIL_RECEIVED"

    @property
    def canonical(self) -> VoiceCallStatus:
        return VoiceCallStatus.VOICEMAIL if self is VoiceCallStatus.VOICEMAIL_RECEIVED else self


class Provider(StrEnum):
    VONAGE = "VONAGE"


class TranscriptStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    FAILED = "FAILED"


class RecordingType(StrEnum):
    CALL = "CALL"
    VOICEMAIL = "VOICEMAIL"


_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
_AMOUNT = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,10})?$")


def _e164(value: str) -> str:
    """Exactly E.164, as vcita asks: "+14155550148", not "+1 (415) 555-0148"."""
    try:
        valid = bool(_E164.match(value)) and phonenumbers.is_valid_number(
            phonenumbers.parse(value, None)
        )
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise ValueError(
            f"must be a phone number in E.164 format such as +14155550148, not {value!r}"
        )
    return value


def _amount(value: str) -> str:
    if not _AMOUNT.match(value):
        raise ValueError(
            f'must be a decimal amount written as a string such as "0.05", not {value!r}'
        )
    return value


def _url(value: str) -> str:
    if value and (not value.startswith(("http://", "https://")) or " " in value or len(value) < 11):
        raise ValueError(f"must be an http(s) URL, not {value!r}")
    return value


E164Number = Annotated[StrictStr, AfterValidator(_e164)]
Amount = Annotated[StrictStr, Field(max_length=32), AfterValidator(_amount)]
Uid = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Text = Annotated[StrictStr, Field(max_length=10000)]
Url = Annotated[StrictStr, Field(max_length=1000), AfterValidator(_url)]  # or "" for none
Seconds = Annotated[StrictInt, Field(ge=0, le=172800)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateVoiceCall(_Body):
    """``CreateVoiceCall``: all eleven fields are required."""

    staff_uid: Uid
    client_uid: Uid
    from_number: E164Number
    to_number: E164Number
    direction: Direction
    status: VoiceCallStatus
    rate: Amount
    provider: Provider
    source_id: Annotated[StrictStr, Field(min_length=1, max_length=255)]
    external_uuid: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    business_uid: Uid


class UpdateVoiceCall(_Body):
    """``UpdateVoiceCall``: sixteen fields must be present (``handled_by_staff_uid`` may be
    left out). A field that can be unknown (a call nobody answered has no staff member, a
    call not yet over no duration) may be sent as null, or as "" for text, meaning none."""

    staff_uid: Uid | None
    client_uid: Uid | None
    from_number: E164Number
    to_number: E164Number
    direction: Direction
    status: VoiceCallStatus
    rate: Amount | None
    price: Amount | None
    provider: Provider
    source_id: Annotated[StrictStr, Field(max_length=255)] | None
    duration: Seconds | None
    call_summary: Text | None
    external_app_url: Url | None
    external_app_name: Annotated[StrictStr, Field(max_length=200)] | None
    recording_id: Annotated[StrictStr, Field(max_length=255)] | None
    external_uuid: Annotated[StrictStr, Field(max_length=100)] | None
    handled_by_staff_uid: Uid | None = None


class RecordingOut(BaseModel):
    uid: str
    recordingUrl: str | None
    size: int | None
    duration: int | None
    recording_played: bool
    recording_type: RecordingType | None


class VoiceCallOut(BaseModel):
    uid: str
    business_uid: str
    staff_uid: str | None
    client_uid: str | None
    from_number: str
    to_number: str
    direction: Direction
    status: VoiceCallStatus
    duration: int | None
    call_summary: str | None
    recording: RecordingOut | None
    external_app_url: str | None
    external_app_name: str | None
    source_id: str | None
    external_uuid: str | None
    handled_by_staff_uid: str | None
    handled_at: str | None
    transcript_status: TranscriptStatus | None
    created_at: str
    updated_at: str
    deleted_at: str | None
    # Not in vcita's entity, but written by create and update: read back what was written.
    rate: str | None
    price: str | None
    provider: str


class VoiceCallList(BaseModel):
    voice_calls: list[VoiceCallOut]


class TranscriptEntry(BaseModel):
    timestamp: float
    speaker_role: str
    text: str


class TranscriptOut(BaseModel):
    transcript_uid: str
    status: TranscriptStatus
    transcript: list[TranscriptEntry] | None


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its definitions inlined, for the OpenAPI document (the
    bodies are parsed by hand so that every error is vcita-shaped)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


class StatusCount(BaseModel):
    status: VoiceCallStatus
    count: int


class VoiceCallStats(BaseModel):
    status_counts: list[StatusCount]
    total_voice_calls: int
    start_date: str | None
    end_date: str | None
