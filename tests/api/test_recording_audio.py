"""A call's recording played through the API (`GET /calls/{id}/recordings/{id}/audio`), on
both databases: the simulator's voicemail as a WAV of its length, a viewer's key may play
it, another project's recording and a made-up id are not found."""

from __future__ import annotations

import io
import wave

import httpx

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from tests import callsetup
from tests.conftest import Tenant, make_key, make_tenant


async def test_a_voicemail_is_played_through_the_api(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer", message_seconds=7)
    await callsetup.settle(ctx)
    [recording] = (await callsetup.call(client, tenant, placed["id"]))["recordings"]
    path = f"/api/v1/calls/{placed['id']}/recordings/{recording['id']}/audio"

    viewer = await make_key(ctx, tenant, role=Role.VIEWER)
    audio = await client.get(path, headers={"Authorization": f"Bearer {viewer}"})
    assert audio.status_code == 200, audio.text
    assert audio.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert wav.getnframes() / wav.getframerate() == recording["duration_seconds"] == 7

    other = await make_tenant(ctx, "Globex Support")
    assert (await client.get(path, headers=other.headers)).status_code == 404
    made_up = f"/api/v1/calls/{placed['id']}/recordings/not-an-id/audio"
    missing = await client.get(made_up, headers=tenant.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "recording: no such recording of this call"
    assert (await client.get(path)).status_code == 401
