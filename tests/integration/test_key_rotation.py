"""Rotating CALLROUTE_SECRET_KEY: secrets written under key A stay readable with B as the current
key and A as a previous one, the rotation moves every one of them to B (connection credentials,
SIP trunk passwords, webhook signing secrets), a second rotation changes nothing, and a value
that no configured key opens stops the rotation with nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from callroute import crypto
from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.config import Settings
from callroute.connections.schemas import ConnectionCreate, ConnectionKind
from callroute.connections.service import ConnectionService
from callroute.crypto import SecretKeys
from callroute.db.revisions import config_revision
from callroute.db.session import Database
from callroute.errors import ConfigError
from callroute.key_rotation.service import KeyRotationService, Rotated
from callroute.models import ProviderConnection, SipTrunk, WebhookSubscription
from callroute.providers.twilio import account
from callroute.providers.twilio.account import TwilioAccountIn
from callroute.sip_trunks.schemas import TrunkCreate
from callroute.sip_trunks.service import TrunkService
from tests.conftest import TEST_SECRET_KEY, Tenant
from tests.twilio.cloud import ACCOUNT_SID, AUTH_TOKEN

KEY_A = TEST_SECRET_KEY  # what the `ctx` and `client` fixtures encrypt with
KEY_B = "rotated-secret-key-" + "b" * 32
KEY_C = "unrelated-secret-key-" + "c" * 32
API_KEY_SID = "SK" + "5e" * 16
API_KEY_SECRET = "api-key-secret-0123456789"
SIP_PASSWORD = "sip-password-1"

ONLY_B = SecretKeys(KEY_B)
ROTATING = SecretKeys(KEY_B, (KEY_A,))


@dataclass(frozen=True)
class Seeded:
    """What was stored under key A, in plain text, to compare with what decrypts later."""

    twilio_id: Any
    simulator_id: Any
    trunk_id: Any
    webhook_id: Any
    webhook_secret: str
    simulator_webhook_secret: str


async def seed_secrets(ctx: AppContext, client: httpx.AsyncClient, tenant: Tenant) -> Seeded:
    """One of every kind of stored secret, written under key A the way the product writes them:
    a Twilio connection (webhook secret, auth token, API key secret), a simulator connection
    (webhook secret), a SIP trunk with a password and one without, a webhook subscription."""
    keys = SecretKeys(KEY_A)
    async with ctx.db.unit_of_work() as session:
        connections = ConnectionService(session, tenant.project_id, ctx.clock, keys)
        twilio = await connections.create(
            ConnectionCreate(
                name="Twilio",
                kind=ConnectionKind.TWILIO,
                twilio=TwilioAccountIn(
                    account_sid=ACCOUNT_SID,
                    auth_token=AUTH_TOKEN,
                    api_key_sid=API_KEY_SID,
                    api_key_secret=API_KEY_SECRET,
                ),
            )
        )
        simulator = await connections.create(
            ConnectionCreate(
                name="Simulator", kind=ConnectionKind.SIMULATOR, webhook_secret="w" * 20
            )
        )
        trunks = TrunkService(session, tenant.project_id, ctx.clock, keys)
        trunk = await trunks.create(
            TrunkCreate(name="PBX", uri="sip:pbx.example.com", password=SIP_PASSWORD)
        )
        await trunks.create(TrunkCreate(name="Open PBX", uri="sip:open.example.com"))
    hook = await client.post(
        "/api/v1/webhooks", json={"url": "https://hooks.example.com/x"}, headers=tenant.headers
    )
    assert hook.status_code == 201, hook.text
    return Seeded(
        twilio.id, simulator.id, trunk.id, hook.json()["id"], hook.json()["secret"], "w" * 20
    )


async def read_secrets(database: Database, seeded: Seeded, keys: SecretKeys) -> None:
    """Decrypt every seeded secret with ``keys`` (the Twilio credentials as the provider loads
    them) and check each is what was stored."""
    async with database.unit_of_work(readonly=True) as session:
        twilio = await session.get(ProviderConnection, seeded.twilio_id)
        simulator = await session.get(ProviderConnection, seeded.simulator_id)
        trunk = await session.get(SipTrunk, seeded.trunk_id)
        hook = await session.scalar(select(WebhookSubscription))
    assert twilio is not None
    assert simulator is not None
    assert trunk is not None
    assert hook is not None
    credentials = account.credentials(twilio, keys)
    assert (credentials.auth_token, credentials.api_key_secret) == (AUTH_TOKEN, API_KEY_SECRET)
    assert crypto.decrypt(keys, twilio.secrets["webhook_secret"])
    assert crypto.decrypt(keys, simulator.secrets["webhook_secret"]) == (
        seeded.simulator_webhook_secret
    )
    assert crypto.decrypt(keys, trunk.secrets["password"]) == SIP_PASSWORD
    assert crypto.decrypt(keys, hook.secret) == seeded.webhook_secret


async def stored_values(database: Database) -> dict[str, Any]:
    """Every encrypted value as stored, with the rows' updated_at: what a rotation may change."""
    async with database.unit_of_work(readonly=True) as session:
        rows: dict[str, Any] = {}
        for model, column in (
            (ProviderConnection, ProviderConnection.secrets),
            (SipTrunk, SipTrunk.secrets),
            (WebhookSubscription, WebhookSubscription.secret),
        ):
            for row_id, value, updated_at in await session.execute(
                select(model.id, column, model.updated_at)
            ):
                rows[f"{model.__tablename__}/{row_id}"] = (value, updated_at)
        return rows


async def rotate(database: Database, keys: SecretKeys, *, batch: int = 500) -> list[Rotated]:
    async with database.unit_of_work() as session:
        return await KeyRotationService(session, keys, batch=batch).rotate()


async def revision(database: Database) -> int:
    async with database.unit_of_work(readonly=True) as session:
        return await config_revision(session)


@asynccontextmanager
async def client_with_key(ctx: AppContext, secret_key: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API of a process configured with another CALLROUTE_SECRET_KEY, on the same database."""
    settings = ctx.settings.model_copy(update={"secret_key": secret_key})
    other = AppContext(settings=settings, db=ctx.db, clock=ctx.clock)
    transport = httpx.ASGITransport(app=create_app(ctx=other))
    async with httpx.AsyncClient(transport=transport, base_url="http://callroute.test") as c:
        yield c


def counts(rotated: list[Rotated]) -> list[tuple[str, int, int]]:
    return [(r.kind, r.reencrypted, r.current) for r in rotated]


async def test_the_round_trip_from_key_a_to_key_b(
    ctx: AppContext, client: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    seeded = await seed_secrets(ctx, client, tenant)
    before = await stored_values(ctx.db)
    with pytest.raises(ConfigError, match="set CALLROUTE_PREVIOUS_SECRET_KEYS"):
        await read_secrets(ctx.db, seeded, ONLY_B)  # B alone, before the rotation: unreadable
    await read_secrets(ctx.db, seeded, ROTATING)  # B with A as a previous key: readable
    moved_from = await revision(ctx.db)

    # One row a batch, so that the walk over several batches of each table is what is tested.
    assert counts(await rotate(ctx.db, ROTATING, batch=1)) == [
        ("connection secrets", 4, 0),
        ("SIP trunk passwords", 1, 0),
        ("webhook signing secrets", 1, 0),
    ]
    await read_secrets(ctx.db, seeded, ONLY_B)
    with pytest.raises(ConfigError, match="CALLROUTE_SECRET_KEY differs from the key"):
        await read_secrets(ctx.db, seeded, SecretKeys(KEY_A))
    after = await stored_values(ctx.db)
    assert after.keys() == before.keys()
    for row, (value, updated_at) in after.items():
        assert value != before[row][0] or value == {}  # the trunk without a password
        assert updated_at == before[row][1]  # nothing a user set has changed
    # Processes recompile what they keep of the configuration, connections included.
    assert await revision(ctx.db) > moved_from


async def test_a_second_rotation_changes_nothing(
    ctx: AppContext, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    seeded = await seed_secrets(ctx, client, tenant)
    await rotate(ctx.db, ROTATING)
    rotated_once = await stored_values(ctx.db)
    moved_to = await revision(ctx.db)

    assert counts(await rotate(ctx.db, ROTATING, batch=2)) == [
        ("connection secrets", 0, 4),
        ("SIP trunk passwords", 0, 1),
        ("webhook signing secrets", 0, 1),
    ]
    assert counts(await rotate(ctx.db, ONLY_B)) == counts(await rotate(ctx.db, ROTATING))
    assert await stored_values(ctx.db) == rotated_once
    assert await revision(ctx.db) == moved_to  # nothing written, nothing to recompile
    await read_secrets(ctx.db, seeded, ONLY_B)


async def test_a_value_no_key_opens_stops_the_rotation_with_nothing_changed(
    ctx: AppContext, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await seed_secrets(ctx, client, tenant)
    # Written by a process with an unrelated key, in the table the rotation walks last: the
    # connections and trunks before it were re-encrypted in the same transaction.
    async with client_with_key(ctx, KEY_C) as other:
        stray = await other.post(
            "/api/v1/webhooks", json={"url": "https://hooks.example.com/y"}, headers=tenant.headers
        )
    assert stray.status_code == 201, stray.text
    before = await stored_values(ctx.db)

    with pytest.raises(ConfigError) as raised:
        await rotate(ctx.db, ROTATING)
    assert str(raised.value) == (
        f"cannot decrypt webhook_subscriptions row {stray.json()['id']} (secret): neither "
        "CALLROUTE_SECRET_KEY nor any of CALLROUTE_PREVIOUS_SECRET_KEYS is the key it was "
        "encrypted with; nothing was re-encrypted"
    )
    assert await stored_values(ctx.db) == before
