"""Provider adapters by connection kind."""

from __future__ import annotations

from typing import Any

from callroute.errors import ValidationFailed
from callroute.providers.base import Provider, ProviderEnv
from callroute.providers.simulator.provider import SimulatorProvider

KINDS = ("simulator", "twilio")


def get_provider(kind: str, env: ProviderEnv | None = None) -> Provider[Any]:
    """The adapter for ``kind``. Adapters that talk to a network need ``env``."""
    if kind == "simulator":
        return SimulatorProvider()
    if kind == "twilio":
        if env is None:
            raise ValidationFailed("kind: twilio needs the server's settings", field="kind")
        # Imported here: the library is large, and only Twilio connections need it.
        from callroute.providers.twilio.provider import TwilioProvider

        return TwilioProvider(env)
    raise ValidationFailed(f"kind: unknown provider {kind!r}", field="kind")
