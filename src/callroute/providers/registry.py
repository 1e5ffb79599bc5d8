"""Provider adapters by connection kind."""

from __future__ import annotations

from callroute.errors import ValidationFailed
from callroute.providers.base import Provider
from callroute.providers.simulator.provider import SimulatorProvider


def get_provider(kind: str) -> Provider:
    if kind == "simulator":
        return SimulatorProvider()
    raise ValidationFailed(f"kind: unknown provider {kind!r}", field="kind")
