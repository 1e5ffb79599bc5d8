"""Scripted phones for the simulator.

A script says how each responder's phone behaves, and what the caller does:

- ``answer`` / ``answer-after:N``: picks up after N seconds (3 by default), presses 1 when
  asked to accept, talks for 20 seconds, hangs up;
- ``no-answer``: rings until the ring timeout; ``busy``; ``unreachable`` (the call fails);
- ``voicemail``: a personal voicemail picks up after 4 seconds and never presses a key;
- ``decline``: picks up and presses 2.

Phones are named by member name (any case), member id or number. The caller has a list of
key sequences, one per prompt (PIN, menu), may hang up after N seconds, and leaves a voicemail
of N seconds (0 = none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callroute.errors import ValidationFailed

BEHAVIOURS = ("answer", "no-answer", "busy", "unreachable", "voicemail", "decline")
DEFAULT_BEHAVIOUR = "no-answer"
TALK_SECONDS = 20


@dataclass(frozen=True)
class Behaviour:
    kind: str
    after: float = 3.0  # answer: seconds before picking up


def parse_behaviour(text: str, field_name: str = "script") -> Behaviour:
    name, _, argument = text.strip().lower().partition(":")
    if name == "answer-after":
        name = "answer"
    if name not in BEHAVIOURS:
        raise ValidationFailed(
            f"{field_name}: unknown phone behaviour {text!r}; use one of "
            "answer, answer-after:N, no-answer, busy, unreachable, voicemail, decline",
            field=field_name,
        )
    if argument:
        if name != "answer":
            raise ValidationFailed(f"{field_name}: {name} takes no argument", field=field_name)
        try:
            after = float(argument)
        except ValueError as exc:
            raise ValidationFailed(
                f"{field_name}: {argument!r} is not a number of seconds", field=field_name
            ) from exc
        if not 0 <= after <= 600:
            raise ValidationFailed(f"{field_name}: seconds must be 0..600", field=field_name)
        return Behaviour(name, after)
    return Behaviour(name)


def parse_script_text(text: str) -> dict[str, str]:
    """``"Ann=no-answer,+14155550101=answer-after:5"`` → {"ann": "no-answer", ...}."""
    phones: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationFailed(f"script: {item!r} is not <phone>=<behaviour>", field="script")
        parse_behaviour(value)
        phones[key.strip().lower()] = value.strip().lower()
    return phones


@dataclass
class Script:
    phones: dict[str, str] = field(default_factory=dict)
    default: str = DEFAULT_BEHAVIOUR
    digits: list[str] = field(default_factory=list)
    hangup_after: float | None = None
    message_seconds: int = 8
    transcript: str = "Hello, this is a simulated caller. Please call me back."

    def behaviour(self, *names: str | None) -> Behaviour:
        for name in names:
            if name and name.lower() in self.phones:
                return parse_behaviour(self.phones[name.lower()])
        return parse_behaviour(self.default)

    def to_dict(self) -> dict[str, Any]:
        return {
            "phones": self.phones,
            "default": self.default,
            "digits": self.digits,
            "hangup_after": self.hangup_after,
            "message_seconds": self.message_seconds,
            "transcript": self.transcript,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Script:
        return cls(
            phones=dict(data.get("phones", {})),
            default=data.get("default", DEFAULT_BEHAVIOUR),
            digits=list(data.get("digits", [])),
            hangup_after=data.get("hangup_after"),
            message_seconds=int(data.get("message_seconds", 8)),
            transcript=data.get("transcript", cls.transcript),
        )
