"""A call's timeline read through the API, in words: people's names, levels from 1."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from callroute.cli.http import Api
from callroute.simulated_calls.narrate import in_words, leg_label

# The statuses a call ends in (docs/call-routing.md); nothing rings after them, though a
# transcript may still arrive.
FINAL = frozenset({"completed", "missed", "voicemail", "rejected", "failed"})


@dataclass
class Timeline:
    api: Api
    call_id: str
    call: dict[str, Any] = field(default_factory=dict)
    shown: int = 0  # the last sequence number read

    def read(self) -> list[str]:
        """The entries since the last read, as lines; the call (status, legs) is read after
        them, so every leg an entry names is known."""
        entries = [
            entry
            for entry in self.api.pages(f"/calls/{self.call_id}/events", {}, None)
            if entry["sequence"] > self.shown
        ]
        self.call = self.api.get(f"/calls/{self.call_id}")
        names = {leg["leg_id"]: leg_label(leg["member_name"], leg["number"]) for leg in self.legs}
        started = datetime.fromisoformat(self.call["started_at"])
        lines = []
        for entry in entries:
            self.shown = max(self.shown, entry["sequence"])
            text = in_words(entry["kind"], entry["detail"], names)
            if text is not None:
                offset = (datetime.fromisoformat(entry["at"]) - started).total_seconds()
                lines.append(f"{offset:6.1f}s  {text}")
        return lines

    @property
    def legs(self) -> list[dict[str, Any]]:
        return list(self.call.get("legs", []))

    @property
    def status(self) -> str:
        return str(self.call.get("status", ""))

    @property
    def over(self) -> bool:
        return self.status in FINAL


def heading(call: dict[str, Any]) -> str:
    return f"call {call['id']}: {call['from']} → {call['to']}"
