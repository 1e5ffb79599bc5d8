"""Fixtures for the Twilio tests: fake Twilio at the HTTP transport, a project wired to it
through the API (connection, bought number, router)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.config import Settings
from callroute.db.session import Database
from tests import factories
from tests.conftest import TEST_SECRET_KEY, Tenant
from tests.twilio.cloud import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, Phone, TwilioCloud, sid

JSON = dict[str, Any]
CALLER = "+442071838750"


@pytest.fixture
def cloud() -> TwilioCloud:
    return TwilioCloud()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET_KEY,
        rate_limit_per_minute=0,
        public_url=PUBLIC_URL,
        # Retries are tested by what Twilio is asked, not by waiting for real backoffs.
        provider_retry_backoff_seconds=0,
        provider_retry_max_backoff_seconds=0,
    )


@pytest.fixture
async def ctx(
    settings: Settings, database: Database, clock: FrozenClock, cloud: TwilioCloud
) -> AsyncIterator[AppContext]:
    http = httpx.AsyncClient(transport=cloud.transport())
    yield AppContext(settings=settings, db=database, clock=clock, http=http)
    await http.aclose()


@pytest.fixture
async def client(ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ctx=ctx, run_timers=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://callroute.test") as c:
        yield c


@dataclass
class TwilioLine:
    number: str
    connection: JSON
    router: JSON
    members: dict[str, JSON]

    def phone(self, client: httpx.AsyncClient, caller: str = CALLER) -> Phone:
        return Phone(client, sid("CA"), caller, self.number)


async def twilio_connection(client: httpx.AsyncClient, tenant: Tenant) -> JSON:
    return await factories.post(
        client,
        tenant,
        "connections",
        {
            "name": "Twilio",
            "kind": "twilio",
            "twilio": {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
        },
    )


async def twilio_line(
    client: httpx.AsyncClient,
    tenant: Tenant,
    *,
    levels: list[JSON] | None = None,
    router: JSON | None = None,
    ringing: JSON | None = None,
) -> TwilioLine:
    """Ann, Bob, Chris; a policy (level 1: Ann, then Bob; level 2: Chris; or ``levels``, where
    a target id "{Ann}" names a member), a bought number and a router ringing the policy (or
    ``router``'s pipeline)."""
    members = {
        name: await factories.member(client, tenant, name, number)
        for name, number in (
            ("Ann", "+14155550101"),
            ("Bob", "+14155550102"),
            ("Chris", "+14155550103"),
        )
    }
    if levels is not None:
        levels = [
            {
                **level,
                "targets": [
                    {**t, "id": members[t["id"].strip("{}")]["id"]}
                    if t["id"].startswith("{")
                    else t
                    for t in level["targets"]
                ],
            }
            for level in levels
        ]
    else:
        levels = [
            {
                "ring_timeout_seconds": 20,
                "targets": [
                    {"type": "member", "id": members["Ann"]["id"]},
                    {"type": "member", "id": members["Bob"]["id"]},
                ],
            },
            {
                "ring_timeout_seconds": 20,
                "targets": [{"type": "member", "id": members["Chris"]["id"]}],
            },
        ]
    policy = await factories.post(
        client, tenant, "escalation-policies", {"name": "Hotline policy", "levels": levels}
    )
    connection = await twilio_connection(client, tenant)
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "number": "+12015550123"}
    )
    body = router or {
        "greeting": {"text": "Welcome."},
        "action": {"type": "ring", "target": {"type": "escalation_policy", "id": policy["id"]}},
    }
    if ringing is not None:
        body = {**body, "ringing": ringing}
    created = await factories.post(
        client, tenant, "routers", {"name": "Hotline", "phone_number_ids": [number["id"]], **body}
    )
    return TwilioLine(number["number"], connection, created, members)


def _member_target(target: JSON, members: dict[str, JSON]) -> JSON:
    if not str(target["id"]).startswith("{"):
        return target
    return {**target, "id": members[str(target["id"]).strip("{}")]["id"]}
