"""What a simulated call is placed with: the caller's keys and how each phone behaves."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from callroute.api.schemas import E164, RequestModel, StrictStr
from callroute.providers.simulator.script import DEFAULT_BEHAVIOUR, Script, parse_behaviour


def _phones(phones: dict[str, str]) -> dict[str, str]:
    for value in phones.values():
        parse_behaviour(value, "phones")
    return {key.lower(): value.lower() for key, value in phones.items()}


# Scripted behaviours by member name, member id, number or SIP URI (matched without case).
Phones = Annotated[dict[StrictStr, StrictStr], AfterValidator(_phones)]


class SimulatedCallIn(RequestModel):
    to: E164 = Field(description="One of the project's simulator numbers.")
    from_: E164 = Field(alias="from", description="The caller's number.")
    digits: list[Annotated[StrictStr, Field(pattern=r"^[0-9*#]{0,20}$")]] = Field(
        default_factory=list,
        max_length=20,
        description="Keys the caller presses, one entry per prompt (PIN, menu).",
    )
    phones: Phones = Field(
        default_factory=dict,
        max_length=200,
        description="How phones behave, by member name, member id or number: answer, "
        "answer-after:N, no-answer, busy, unreachable, voicemail, decline.",
    )
    default: StrictStr = Field(
        default=DEFAULT_BEHAVIOUR, description="Behaviour of phones not in `phones`."
    )
    hangup_after: float | None = Field(
        default=None, ge=0, le=3600, description="The caller hangs up after N seconds."
    )
    message_seconds: int = Field(
        default=8, ge=0, le=600, description="Length of the voicemail the caller leaves."
    )

    @field_validator("default")
    @classmethod
    def _default(cls, value: str) -> str:
        parse_behaviour(value, "default")
        return value.lower()

    def script(self) -> Script:
        return Script(
            phones=self.phones,
            default=self.default,
            digits=self.digits,
            hangup_after=self.hangup_after,
            message_seconds=self.message_seconds,
        )


class SimulatedOutboundCallIn(RequestModel):
    from_: E164 = Field(
        alias="from",
        description="One of the project's simulator numbers; its router's `outbound` mode "
        "says what the answered call is connected to.",
    )
    to: E164 = Field(description="The number to call.")
    callee: StrictStr = Field(
        default="answer",
        description="How the called phone behaves: answer, answer-after:N, no-answer, busy, "
        "unreachable, voicemail (a greeting picks up: the call is answered), decline.",
    )
    phones: Phones = Field(
        default_factory=dict,
        max_length=200,
        description="How other endpoints behave, by SIP URI: e.g. a trunk that is busy.",
    )
    hangup_after: float | None = Field(
        default=None, ge=0, le=3600, description="The called party hangs up after N seconds."
    )

    @field_validator("callee")
    @classmethod
    def _callee(cls, value: str) -> str:
        parse_behaviour(value, "callee")
        return value.lower()
