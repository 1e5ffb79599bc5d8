"""Turn a call's timeline entries into lines a person reads while the call runs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_MARKUP = re.compile(r"\[/?(bold|dim)\]")
_COUNTED = re.compile(r"\b(level|round)=(\d+)")


def leg_label(member_name: str, number: str) -> str:
    """How a leg is named in words: the person, and the number that rang."""
    return f"{member_name} ({number})"


def in_words(kind: str, detail: dict[str, Any], names: Mapping[str, str]) -> str | None:
    """A timeline entry as the console and the CLI show it: plain text, levels and rounds
    counted from 1, and people's names (``names``: leg id → `leg_label`) for leg ids."""
    text = describe(kind, detail)
    if text is None:
        return None
    text = _MARKUP.sub("", text)
    # The engine counts levels and rounds from 0; people, and the API's docs, from 1.
    text = _COUNTED.sub(lambda m: f"{m.group(1)} {int(m.group(2)) + 1}", text)
    # Longest first: one leg id may begin with another (r0-l0-a0-n1, r0-l0-a0-n10).
    for key in sorted(names, key=len, reverse=True):
        text = text.replace(key, names[key])
    return text


def _prompt(detail: dict[str, Any]) -> str:
    prompt = detail.get("prompt") or detail.get("greeting") or {}
    if isinstance(prompt, dict):
        return str(prompt.get("text") or prompt.get("audio_url") or "")
    return ""


def _legs(detail: dict[str, Any]) -> str:
    legs = detail.get("legs") or []
    return ", ".join(f"{leg.get('member_name')} at {leg.get('number')}" for leg in legs)


# Engine notes that repeat what the event or command line already says.
QUIET_NOTES = frozenset(
    {
        "leg_dialing",
        "leg_ringing",
        "leg_answered",
        "timer_fired",
        "recording_ready",
        "transcript_ready",
        "call_arrived",
        "ignored_event",
        "leg_ended",
    }
)


def describe(kind: str, detail: dict[str, Any]) -> str | None:
    """One line for a timeline entry, or None for entries a person need not see."""
    if kind in QUIET_NOTES:
        return None
    if kind == "command":
        return _command(detail)
    if kind == "event":
        return _event(detail)
    if kind == "call_ended":
        reason = f" ({detail['reason']})" if detail.get("reason") else ""
        return f"[bold]call ended: {detail.get('status')}{reason}[/bold]"
    # Sorted: PostgreSQL's JSONB does not keep key order, and the narration should not differ.
    words = ", ".join(
        f"{k}={v}"
        for k, v in sorted(detail.items())
        if v not in (None, "") and not k.endswith("_id")
    )
    return f"{kind.replace('_', ' ')}" + (f": {words}" if words else "")


def _command(detail: dict[str, Any]) -> str:
    kind = str(detail.get("type", ""))
    texts: dict[str, Callable[[], str]] = {
        "say": lambda: f"says: “{_prompt(detail)}”",
        "gather": lambda: f"asks: “{_prompt(detail)}” (waits {detail.get('timeout_seconds')} s)",
        "ring_legs": lambda: (
            f"rings {_legs(detail)} for {detail.get('timeout_seconds')} s "
            f"({detail.get('mode')} mode)"
        ),
        "cancel_legs": lambda: f"stops ringing {', '.join(detail.get('leg_ids', []))}",
        "bridge": lambda: f"connects the caller to {detail.get('leg_id')}",
        "hold": lambda: "plays hold music to the caller",
        "record": lambda: (
            f"records a voicemail (up to {detail.get('max_length_seconds')} s) "
            f"after “{_prompt(detail)}”"
        ),
        "forward": lambda: f"forwards to {detail.get('number')}",
        "dial_sip": lambda: f"dials SIP {detail.get('uri')}",
        "connect_stream": lambda: f"streams the call to {detail.get('url')}",
        "place_call": lambda: f"dials {detail.get('number')} from {detail.get('caller_id')}",
        "hangup": lambda: "hangs up",
        "reject": lambda: f"rejects the call ({detail.get('reason')})",
    }
    return texts.get(kind, lambda: kind)()


def _event(detail: dict[str, Any]) -> str:
    kind = str(detail.get("type", ""))
    leg = detail.get("leg_id")
    texts: dict[str, Callable[[], str]] = {
        "call_arrived": lambda: "call arrives",
        "digits": lambda: (
            (
                f"{leg} pressed “{detail.get('digits')}”"
                if leg
                else f"caller pressed “{detail.get('digits')}”"
            )
            if detail.get("digits")
            else (f"{leg}: no key pressed" if leg else "caller: no key pressed")
        ),
        "leg_ringing": lambda: f"{leg} is ringing",
        "leg_answered": lambda: f"{leg} picked up",
        "leg_ended": lambda: f"{leg} ended: {detail.get('outcome')}",
        "caller_hung_up": lambda: "caller hung up",
        "timer_fired": lambda: f"timer {detail.get('kind')} fired",
        "recording_ready": lambda: f"voicemail recorded ({detail.get('duration_seconds')} s)",
        "transcript_ready": lambda: f"transcript: “{detail.get('text')}”",
        "connection_answered": lambda: "the far end answered",
        "bridge_ended": lambda: f"connection ended: {detail.get('outcome')}",
        "provider_error": lambda: f"provider error: {detail.get('message')}",
        "call_placed": lambda: "call placed",
        "callee_answered": lambda: "the called party answered",
        "callee_unreached": lambda: f"the called party was not reached: {detail.get('outcome')}",
    }
    return "[dim]" + texts.get(kind, lambda: kind)() + "[/dim]"
