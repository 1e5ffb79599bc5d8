"""A project set up as a VoiceLink partner's would be: a connection, DIDs, a bot and a SIP
trunk, built through the native API. (This module holds no tests.)"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import update

from callroute.app_context import AppContext
from callroute.db.handles import HandleKind, next_handle
from callroute.models import ProjectCounter, ProviderConnection
from tests import factories
from tests.conftest import Tenant

JSON = dict[str, Any]
URL = "/api/v2/voicelink/call-routing"
# The ids of the documented example request.
EXAMPLE_CONNECTION = uuid.UUID("9b7f1c44-c87f-4f0c-9124-3c802a9c1a20")
EXAMPLE_DID = 812
EXAMPLE_BOT = 93
OWNER_PHONE = "+14155550101"
MOBILE = "+447911123456"


@dataclass
class Partner:
    tenant: Tenant
    connection_id: str
    did: JSON  # DID 812, owned by Ann
    spare: JSON  # a second DID with no owner
    bot: JSON  # bot 93
    trunk: JSON
    owner: JSON

    @property
    def headers(self) -> dict[str, str]:
        return self.tenant.headers


async def start_counter(ctx: AppContext, tenant: Tenant, kind: HandleKind, after: int) -> None:
    """Make the next handle of ``kind`` in the project ``after + 1``."""
    async with ctx.db.unit_of_work() as session:
        await next_handle(session, tenant.project_id, kind)  # creates the row if need be
        await session.execute(
            update(ProjectCounter)
            .where(ProjectCounter.project_id == tenant.project_id, ProjectCounter.name == kind)
            .values(value=after)
        )


async def partner(
    client: httpx.AsyncClient,
    ctx: AppContext,
    tenant: Tenant,
    *,
    connection_id: uuid.UUID | None = EXAMPLE_CONNECTION,
) -> Partner:
    """The example's world: connection 9b7f1c44-…, DID 812 and bot 93 (plus a trunk, and a
    spare DID). ``connection_id=None`` keeps the generated connection id (for a second
    project: ids are unique across projects)."""
    owner = await factories.member(client, tenant, "Ann", OWNER_PHONE)
    connection = await factories.post(
        client, tenant, "connections", {"name": "VoiceLink", "kind": "simulator"}
    )
    if connection_id is not None:
        async with ctx.db.unit_of_work() as session:
            await session.execute(
                update(ProviderConnection)
                .where(ProviderConnection.id == uuid.UUID(connection["id"]))
                .values(id=connection_id)
            )
        connection["id"] = str(connection_id)
    await start_counter(ctx, tenant, HandleKind.PHONE_NUMBER, EXAMPLE_DID - 1)
    await start_counter(ctx, tenant, HandleKind.BOT, EXAMPLE_BOT - 1)
    did = await factories.post(
        client,
        tenant,
        "numbers",
        {"connection_id": connection["id"], "country": "US", "owner_id": owner["id"]},
    )
    spare = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    bot = await factories.post(
        client,
        tenant,
        "bots",
        {
            "name": "Pipecat agent",
            "websocket_url": "wss://api.pipecat.daily.co/ws/twilio",
            "parameters": {"agent": "support"},
        },
    )
    trunk = await factories.post(
        client, tenant, "sip-trunks", {"name": "Office PBX", "uri": "sip:desk@pbx.example.com"}
    )
    assert (did["handle"], bot["handle"]) == (EXAMPLE_DID, EXAMPLE_BOT)
    return Partner(tenant, connection["id"], did, spare, bot, trunk, owner)


def example_request() -> JSON:
    """The request of the documented example, verbatim."""
    return {
        "connection_id": "9b7f1c44-c87f-4f0c-9124-3c802a9c1a20",
        "did_id": 812,
        "for_inbound_call": 1,
        "for_outbound_call": 3,
        "outbound_websocket_bot_id": 93,
        "status": 1,
    }


async def create(client: httpx.AsyncClient, p: Partner, body: JSON) -> JSON:
    response = await client.post(URL, json=body, headers=p.headers)
    assert response.status_code == 200, response.text
    data: JSON = response.json()["data"]
    return data
