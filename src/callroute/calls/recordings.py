"""A call's recordings as sound: what the console's player and the API's audio endpoint serve.

The recording stays where the provider keeps it; callroute fetches it with the project's
connection, so a browser never sees the provider's credentials nor needs an account there.
Reading which recording (and with which connection) is done first, in the request's
transaction; the fetch runs after it, with no transaction open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.repository import CallRepository
from callroute.connections.repository import ConnectionRepository
from callroute.errors import NotFound
from callroute.models import ProviderConnection
from callroute.providers.base import Audio, ProviderEnv

__all__ = ["Audio", "RecordingSource", "recording_audio", "recording_source"]
from callroute.providers.registry import get_provider
from callroute.validation import found


@dataclass(frozen=True)
class RecordingSource:
    provider: str  # the call's provider kind
    connection: ProviderConnection | None
    url: str
    duration_seconds: int


async def recording_source(
    session: AsyncSession, project_id: uuid.UUID, call_id: str, recording_id: str
) -> RecordingSource:
    """Where a recording of one of the project's calls is; another project's call, or a
    recording of another call, is not found."""
    calls = CallRepository(session, project_id)
    call = await found(calls, call_id, "call")
    try:
        wanted = uuid.UUID(recording_id)
    except ValueError:
        raise NotFound("recording: no such recording of this call") from None
    recording = next((r for r in await calls.recordings(call.id) if r.id == wanted), None)
    if recording is None or not recording.url:
        raise NotFound("recording: no such recording of this call")
    connection = None
    if call.connection_id is not None:
        connection = await ConnectionRepository(session, project_id).get(call.connection_id)
    return RecordingSource(call.provider, connection, recording.url, recording.duration_seconds)


async def recording_audio(source: RecordingSource, env: ProviderEnv) -> Audio:
    """The recording's sound, from its provider. Run with no transaction open."""
    provider = get_provider(source.provider, env)
    return await provider.recording(source.connection, source.url, source.duration_seconds)
